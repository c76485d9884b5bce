import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Tool output as JSON text: the client (and the model behind it) reads data, never markup or instructions. */
export function jsonResult(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

/** A refusal the model can read and act on (isError keeps it from being mistaken for data). */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
