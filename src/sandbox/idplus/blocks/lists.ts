import type { Context } from '../context.js';
import { hexId } from '../scoring.js';
import type { AlertListBlock, AlertListMatch, GlobalWatchlistBlock, WatchlistMatch } from '../types.js';

/** Alert List (Socure's consortium of reported fraud): magic e-mail → R110, magic phone → R113. */
export function alertList(ctx: Context): AlertListBlock {
  const { input, signals } = ctx;
  const reasonCodes: string[] = [];
  const matches: AlertListMatch[] = [];
  const match = (element: string): AlertListMatch => ({
    element,
    datasetName: 'Socure Consortium',
    reason: 'Reported fraud',
    industryName: 'Financial Services',
    lastReportedDate: '2024-11-05',
    reportedCount: 3,
  });
  if (signals.alertListEmail && input.email) {
    reasonCodes.push('R110');
    matches.push(match('email'));
  }
  if (signals.alertListPhone && input.mobileNumber) {
    reasonCodes.push('R113');
    matches.push(match('mobileNumber'));
  }
  return { reasonCodes, matches };
}

/**
 * Global Watchlist (any tier): surName "Sanctioned" hits the OFAC SDN list, "Politician" the PEP
 * data; no hit is `reasonCodes: ["I196"], matches: {}` as in Footprint's fixture.
 */
export function globalWatchlist(ctx: Context): GlobalWatchlistBlock {
  const { input, signals } = ctx;
  const name = [input.firstName, input.surName].filter(Boolean).join(' ');
  const entityId = hexId(12, 'watchlist', name.toLowerCase()).toUpperCase();
  const base = (
    comments: Record<string, string[]>,
    sourceUrls: string[],
    matchScore: number,
  ): WatchlistMatch => ({
    entityId,
    matchFields: input.dob ? ['nameExact', 'dobYearMatch'] : ['nameExact'],
    sourceUrls,
    comments,
    matchScore,
  });
  if (signals.sanctioned) {
    return {
      reasonCodes: ['R180', 'R186'],
      matches: {
        'OFAC SDN List': [
          base(
            { name: [name], offense: ['Specially Designated National'], country: [input.country ?? 'US'] },
            ['https://sanctionssearch.ofac.treas.gov/'],
            100,
          ),
        ],
      },
    };
  }
  if (signals.politician) {
    return {
      reasonCodes: ['R184', 'R186'],
      matches: {
        'PEP Data': [
          base(
            {
              name: [name],
              politicalPosition: ['Member of the State Legislature'],
              country: [input.country ?? 'US'],
            },
            [`https://sandbox.invalid/pep/${entityId}`],
            95,
          ),
        ],
      },
    };
  }
  return { reasonCodes: ['I196'], matches: {} };
}
