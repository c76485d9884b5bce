/**
 * One fact a reader found in one file. Readers only report; `assemble.ts` decides which file wins
 * when several say different things.
 */
export type FactOrigin = 'k8s' | 'compose' | 'helm' | 'dockerfile' | 'package';

export interface FactAt {
  origin: FactOrigin;
  file: string;
  line?: number;
}

export type Fact = FactAt &
  (
    | { kind: 'name'; value: string }
    | { kind: 'image'; value: string }
    | { kind: 'base-image'; value: string }
    | { kind: 'version'; value: string }
    | { kind: 'port'; port: number; protocol: 'TCP' | 'UDP' }
    | { kind: 'env'; name: string; value?: string; secret?: boolean }
    | { kind: 'health'; path: string; port?: number }
    | { kind: 'user'; value: string }
    | { kind: 'start'; value: string }
    | { kind: 'dependency'; name: string; image?: string }
  );

/** What one reader returns. */
export interface ReaderResult {
  facts: Fact[];
  warnings: string[];
}

export const emptyResult = (): ReaderResult => ({ facts: [], warnings: [] });
