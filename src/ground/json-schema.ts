/** A JSON Schema (draft-07) node; only the keywords covsweep reads are typed. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  default?: unknown;
  [keyword: string]: unknown;
}
