import { z } from 'zod';
import { CUSTOM_METHODS } from '../../socure/index.js';
import { defineCapability, parseCapabilityInput, requireIdPlus } from '../capability.js';

const keyValueList = z.array(z.object({ key: z.string().min(1), value: z.string() })).optional();

export const customCallInput = z.object({
  endpoint: z.string().min(1, 'the endpoint is required, e.g. /api/3.0/EmailAuthScore'),
  method: z.enum(CUSTOM_METHODS),
  queryParams: keyValueList,
  headers: keyValueList,
  bodyData: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string()]).optional(),
});

export const customCallOutput = z.object({
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())]).optional()),
  statusCode: z.number().int(),
  rawResponse: z.unknown(),
});

export const makeCustomApiCall = defineCapability({
  id: 'makeCustomApiCall',
  title: 'Make Custom API Call',
  description:
    'Define and invoke a custom call to the Socure REST API. Only paths on the configured API URL are allowed.',
  properties: [
    {
      name: 'endpoint',
      label: 'Endpoint',
      controlType: 'textField',
      required: true,
      help: 'The Socure API endpoint, such as /api/3.0/EmailAuthScore.',
    },
    {
      name: 'method',
      label: 'HTTP Method',
      controlType: 'dropDown',
      required: true,
      help: 'The HTTP method of the API call.',
      options: CUSTOM_METHODS.map((m) => ({ value: m, label: m })),
    },
    {
      name: 'queryParams',
      label: 'Query Parameters',
      controlType: 'keyValueList',
      help: 'Additional query parameters to send to Socure.',
    },
    {
      name: 'headers',
      label: 'Additional Headers',
      controlType: 'keyValueList',
      help: "Additional headers for the request. The connector adds 'Authorization' and 'Content-Type'.",
    },
    { name: 'bodyData', label: 'Body', controlType: 'codeEditor', help: 'The body of the API call (JSON).' },
  ],
  input: customCallInput,
  output: customCallOutput,
  async execute(input, { client }) {
    requireIdPlus(client);
    const parsed = parseCapabilityInput(customCallInput, input);
    return client.request({
      method: parsed.method,
      path: parsed.endpoint,
      query: parsed.queryParams,
      headers: parsed.headers,
      body: parsed.bodyData,
    });
  },
});
