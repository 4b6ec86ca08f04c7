import type { Store } from '../store/types.js';
import { parseReport } from './report.js';

export interface ImportResult {
  reportId: string;
  acquirerId: string;
  settlementDate: string;
  /** False when the report was imported before: importing it again changes nothing. */
  imported: boolean;
  lines: number;
}

/** Parses a settlement report whole (a ReportError names line and column) and imports it in one commit. */
export async function importSettlement(store: Store, text: string, at: number): Promise<ImportResult> {
  const report = parseReport(text);
  const lines = report.lines.map(({ line, ...l }) => ({
    ...l,
    line,
    reportId: report.reportId,
    acquirerId: report.acquirerId,
    settlementDate: report.settlementDate,
  }));
  const imported = await store.importReport(
    { reportId: report.reportId, acquirerId: report.acquirerId, settlementDate: report.settlementDate, lines: lines.length },
    lines,
    at,
  );
  return { reportId: report.reportId, acquirerId: report.acquirerId, settlementDate: report.settlementDate, imported, lines: lines.length };
}
