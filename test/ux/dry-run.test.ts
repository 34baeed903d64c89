/** `bootstrap run --dry-run`: resolved steps in order, secrets masked, nothing run or written. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../support/cli.js';
import { bs } from './helpers.js';

describe('bootstrap run --dry-run', () => {
  it('prints the resolved commands in dependency order with secrets masked, and runs nothing', async () => {
    const secret = 'pa55-word-never-shown';
    const dir = tempProject({
      'dry.yaml': `name: dry
vars:
  token: { secret: true, env: DRY_TOKEN }
  region: { default: west-2 }
tasks:
  deploy:
    needs: [build]
    env: { AUTH: "Bearer \${{ vars.token }}" }
    unless: test -f deployed-\${{ tasks.build.outputs.version }}
    run: 'touch canary-deploy && curl -H "Authorization: $AUTH" https://\${{ vars.region }}.example.invalid'
    undo: echo undeploy \${{ vars.token }}
  build:
    run: |
      touch canary-build
      echo "version=1" >> "$BOOTSTRAP_OUTPUT"
      echo "secret \${{ vars.token }}"
    outputs: { version: {} }
    timeout: 2m
  probe:
    uses: http-check
    with: { url: "http://127.0.0.1:9/\${{ vars.token }}" }
`,
    });
    const r = await bs(['run', 'dry.yaml', '--dry-run'], dir, { DRY_TOKEN: secret });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    // Dependency order, not declaration order.
    const order = [...r.stdout.matchAll(/^(\d+)\. ([\w-]+)/gm)].map((m) => m[2]);
    expect(order).toEqual(['build', 'deploy', 'probe']);
    expect(r.stdout).toContain('echo "secret ***"');
    expect(r.stdout).toContain('env:    AUTH=***'); // a value that reads a secret is secret as a whole
    expect(r.stdout).toContain('https://west-2.example.invalid');
    expect(r.stdout).toContain('undo:   echo undeploy ***');
    expect(r.stdout).toContain('unless: test -f deployed-${{ tasks.build.outputs.version }}');
    expect(r.stdout).toContain('http-check {"url":"http://127.0.0.1:9/***"}');
    expect(r.stdout).toContain('limits: timeout 2m');
    // Nothing ran, nothing was written.
    expect(fs.readdirSync(dir).sort()).toEqual(['dry.yaml']);
    expect(fs.existsSync(path.join(dir, '.bootstrap'))).toBe(false);
  });
});
