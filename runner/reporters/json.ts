/** `--json`: every event as one line of JSON on stdout (NDJSON), with the schema version `v`. */
import { EVENT_SCHEMA_VERSION, type BootstrapEvent, type Reporter } from '../events.js';

export class JsonReporter implements Reporter {
  constructor(private readonly write: (line: string) => void) {}

  log(event: BootstrapEvent): void {
    this.write(JSON.stringify({ v: EVENT_SCHEMA_VERSION, ...event }) + '\n');
  }
}
