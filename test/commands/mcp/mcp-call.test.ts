// `stn mcp call|resources|prompts|read` end to end, spawning the built CLI against real servers.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStn } from '../../helpers/cli.js';
import type { TempHome } from '../../helpers/home.js';
import { EVERYTHING_SERVER, FILESYSTEM_SERVER, fixtureHome, tinyEntry, writeTemplate } from '../../core/mcp/helpers.js';

let home: TempHome;
let envDir: string;

beforeAll(() => {
  ({ home, envDir } = fixtureHome());
  writeTemplate(envDir, {
    everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
    fs: { command: process.execPath, args: [FILESYSTEM_SERVER, home.home] },
  });
});
afterAll(() => {
  home.cleanup();
});

const stn = (args: string[]) => runStn(args, { env: home.env, timeoutMs: 60_000 });

describe('stn mcp call', { timeout: 120_000 }, () => {
  it('prints text, saves images to files whose paths it prints, lists resource links, and the time taken', async () => {
    const echo = await stn(['mcp', 'call', 'everything__echo', '--args', '{"message": "hi there"}']);
    expect(echo.code).toBe(0);
    expect(echo.stdout).toBe('Echo: hi there\n');
    expect(echo.stderr).toMatch(/^✓ everything__echo answered in \d+\.\d ms\n$/);

    const out = join(home.home, 'images');
    const image = await stn(['mcp', 'call', '__get-tiny-image', '--out-dir', out]);
    expect(image.code).toBe(0);
    const saved = join(out, 'get-tiny-image-1.png');
    expect(image.stdout).toBe(
      `Here's the image you requested:\n[image image/png, 3.9 KiB] ${saved}\nThe image above is the MCP logo.\n`,
    );
    expect(readFileSync(saved).subarray(1, 4).toString()).toBe('PNG');

    const links = await stn(['mcp', 'call', 'everything__get-resource-links', '--args', '{"count": 2}']);
    expect(links.stdout).toContain(
      '[resource link] demo://resource/dynamic/text/2 Text Resource 2 (text/plain): Resource 2: plaintext resource',
    );

    const weather = await stn([
      'mcp',
      'call',
      'everything__get-structured-content',
      '--args',
      '{"location": "Chicago"}',
    ]);
    expect(weather.code).toBe(0);
    expect(weather.stdout).toMatch(/^\{\n {2}"temperature": \d+,\n {2}"conditions": /);
  });

  it('--json prints the raw result with its duration; arguments can come from a file', async () => {
    writeFileSync(join(home.home, 'args.json'), '{"a": 2, "b": 40}');
    const r = await stn(['mcp', 'call', 'everything__get-sum', '--args', `@${join(home.home, 'args.json')}`, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toEqual({
      environment: 'default',
      server: 'everything',
      tool: 'get-sum',
      qualifiedName: 'everything__get-sum',
      durationMs: expect.any(Number) as number,
      result: { content: [{ type: 'text', text: 'The sum of 2 and 40 is 42.' }], isError: false },
    });
  });

  it('a tool that answers with an error exits 8 with its message; --json keeps the whole answer', async () => {
    const args = ['mcp', 'call', 'fs__read_text_file', '--args', '{"path": "/etc/hostname"}'];
    const human = await stn(args);
    expect(human.code).toBe(8);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(
      /^Error: fs__read_text_file answered with an error after \d+\.\d ms: Access denied - path outside allowed directories/,
    );
    const json = await stn([...args, '--json']);
    expect(json.code).toBe(8);
    const body = JSON.parse(json.stdout) as {
      error: { code: string; exitCode: number; details: { call: { result: { isError: boolean } } } };
    };
    expect(body.error).toMatchObject({ code: 'tool_error', exitCode: 8 });
    expect(body.error.details.call.result.isError).toBe(true);
  });

  it('bad --args exit 5 naming the field; an unknown tool exits 3 with close names', async () => {
    const notJson = await stn(['mcp', 'call', 'everything__echo', '--args', '{message: hi}']);
    expect(notJson.code).toBe(5);
    expect(notJson.stderr).toMatch(/^Error: --args is not valid JSON: /);
    const list = await stn(['mcp', 'call', 'everything__echo', '--args', '["hi"]']);
    expect(list.code).toBe(5);
    expect(list.stderr).toContain('Error: --args must be a JSON object of arguments, got a list');
    const missingFile = await stn(['mcp', 'call', 'everything__echo', '--args', '@/nonexistent/args.json']);
    expect(missingFile.code).toBe(5);
    expect(missingFile.stderr).toContain('cannot read the arguments file /nonexistent/args.json');

    const schema = await stn(['mcp', 'call', 'everything__get-sum', '--args', '{"a": 1, "b": "two"}', '--json']);
    expect(schema.code).toBe(5);
    expect(JSON.parse(schema.stdout)).toMatchObject({
      error: {
        code: 'invalid',
        message: 'arguments for everything__get-sum are invalid: b: expected number, got string "two"',
        details: { issues: [{ field: 'b', message: 'expected number, got string "two"' }] },
      },
    });

    const unknown = await stn(['mcp', 'call', 'everything__get_sum']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Error: no tool "everything__get_sum" in environment "default"');
    expect(unknown.stderr).toMatch(/→ Did you mean: "everything__get-sum"/);
  });
});

describe('stn mcp resources / prompts / read', { timeout: 120_000 }, () => {
  it('lists resources and templates; a server without resources is shown as such', async () => {
    const r = await stn(['mcp', 'resources']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SERVER\s+KIND\s+URI\s+NAME\s+MIME\s+DESCRIPTION\n/);
    expect(r.stdout).toMatch(
      /everything\s+resource\s+demo:\/\/resource\/static\/document\/instructions\.md\s+instructions\.md\s+text\/markdown\s+Static document file/,
    );
    expect(r.stdout).toMatch(
      /everything\s+template\s+demo:\/\/resource\/dynamic\/text\/\{resourceId\}\s+Dynamic Text Resource/,
    );
    expect(r.stdout).toContain('\nfs: does not offer resources\n');
    const json = await stn(['mcp', 'resources', '--server', 'fs', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      environment: 'default',
      servers: [{ server: 'fs', status: 'unsupported', resources: [], templates: [] }],
    });
  });

  it('lists prompts with their arguments (NAME? optional)', async () => {
    const r = await stn(['mcp', 'prompts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SERVER\s+PROMPT\s+ARGUMENTS\s+DESCRIPTION\n/);
    expect(r.stdout).toMatch(/everything\s+args-prompt\s+city, state\?\s+A prompt with two arguments/);
    expect(r.stdout).toMatch(/everything\s+simple-prompt\s+-\s+A prompt with no arguments/);
    expect(r.stdout).toContain('\nfs: does not offer prompts\n');
    const json = JSON.parse((await stn(['mcp', 'prompts', '--server', 'everything', '--json'])).stdout) as {
      servers: { prompts: { name: string }[] }[];
    };
    expect(json.servers[0]?.prompts.map((p) => p.name)).toContain('resource-prompt');
  });

  it('exits 8 when a server fails to answer, after listing the others', async () => {
    writeTemplate(envDir, {
      fs: { command: process.execPath, args: [FILESYSTEM_SERVER, home.home] },
      broken: tinyEntry('--fail-start', 'Error: missing --root'),
    });
    try {
      const r = await stn(['mcp', 'prompts']);
      expect(r.code).toBe(8);
      expect(r.stdout).toBe(
        'fs: does not offer prompts\n✗ broken: MCP server "broken" is not available: exited with code 3 before it finished starting\n',
      );
      expect(r.stderr).toContain('Error: 1 MCP server of "default" did not list prompts: broken');
    } finally {
      writeTemplate(envDir, {
        everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
        fs: { command: process.execPath, args: [FILESYSTEM_SERVER, home.home] },
      });
    }
  });

  it('reads a resource: text printed, blobs saved to a file; an unlisted URI is not found', async () => {
    const text = await stn(['mcp', 'read', 'demo://resource/dynamic/text/2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Resource 2: This is a plaintext resource created at /);
    expect(text.stderr).toMatch(/^✓ read from everything in \d+\.\d ms\n$/);

    const out = join(home.home, 'blobs');
    const blob = await stn(['mcp', 'read', 'demo://resource/dynamic/blob/1', '--out-dir', out]);
    expect(blob.code).toBe(0);
    expect(readdirSync(out)).toEqual(['resource-1.txt']);
    expect(blob.stdout).toBe(
      `[resource demo://resource/dynamic/blob/1 (text/plain), ${String(readFileSync(join(out, 'resource-1.txt')).length)} bytes] ${join(out, 'resource-1.txt')}\n`,
    );

    const unknown = await stn(['mcp', 'read', 'demo://nothing']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Error: no MCP server of "default" lists demo://nothing');
  });
});
