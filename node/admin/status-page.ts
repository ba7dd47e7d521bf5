/**
 * The small status page at / : the cluster map, each node's role and health, fragments per
 * node, the volumes. Rendered on the server from the same status as /v1/status, refreshed by the
 * browser every two seconds; no script, so it works in any browser and in a test.
 */
import type { NodeStatus } from './node-status.js';

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
function escape(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => escapes[character]!);
}

function table(headers: string[], rows: unknown[][], id: string): string {
  const head = headers.map((header) => `<th>${escape(header)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderStatusPage(status: NodeStatus): string {
  const members = table(
    [
      'node',
      'region',
      'zone',
      'state',
      'health',
      'raft role',
      'fragments',
      'weight',
      'gRPC',
      'admin',
    ],
    status.members.map((member) => [
      member.id,
      member.region,
      member.zone,
      member.state,
      member.healthy ? 'healthy' : 'unreachable',
      member.role ?? '?',
      member.fragments ?? '?',
      member.weight,
      member.grpcAddress,
      member.adminAddress,
    ]),
    'members',
  );
  const volumes = table(
    ['volume', 'scheme', 'block', 'write quorum', 'placement rule', 'redundancy'],
    status.volumes.map((volume) => [
      volume.name,
      `RS(${volume.k},${volume.m})`,
      volume.blockBytes,
      volume.writeQuorum,
      volume.rule,
      volume.unplaced === 0
        ? 'full'
        : `REDUCED: ${volume.unplaced} of ${volume.k + volume.m} fragments have no node (${volume.unplacedReason ?? 'topology too small'}); add nodes to restore it`,
    ]),
    'volumes',
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Tessera — ${escape(status.nodeId)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 10px;text-align:left}th{background:#f3f3f3}
.ok{color:#080}.bad{color:#b00}
</style></head><body>
<h1>Tessera cluster</h1>
<p>This page is served by <b id="self">${escape(status.nodeId)}</b> (${escape(status.region)}/${escape(status.zone)}):
raft <b>${escape(status.raft.role)}</b>, term ${status.raft.term}, leader <b id="leader">${escape(status.raft.leader ?? 'none')}</b>,
commit ${status.raft.commitIndex}, applied ${status.raft.appliedIndex};
epoch <b id="epoch">${status.epoch}</b>, topology version ${status.topologyVersion};
<span class="${status.ready ? 'ok' : 'bad'}">${status.ready ? 'ready' : `not ready: ${escape(status.notReadyReason)}`}</span>.</p>
<h2>Nodes</h2>
${members}
<h2>Volumes</h2>
${status.volumes.length === 0 ? '<p>No volumes yet.</p>' : volumes}
<h2>Repair and scrub</h2>
${maintenance(status)}
<p><a href="/v1/status">/v1/status</a> · <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></p>
</body></html>
`;
}

/** The repair queue with its rate and ETA, and the scrub pass, as one paragraph. */
function maintenance(status: NodeStatus): string {
  const repair = status.repair;
  const scrub = status.scrub;
  const parts: string[] = [];
  if (repair) {
    const eta =
      repair.queuedStripes === 0
        ? 'nothing to repair'
        : repair.etaS === null
          ? 'ETA unknown'
          : `ETA ${repair.etaS} s`;
    parts.push(
      `<span id="repair">repair queue <b>${repair.queuedStripes}</b> stripes, ${repair.repairedStripes} repaired (${mib(repair.repairedBytes)}), ${mib(repair.rateBytesPerS)}/s of ${mib(repair.bandwidthBytesPerS)}/s allowed, ${eta}</span>`,
    );
    if (repair.nodeMarks.length > 0)
      parts.push(
        `<span id="node-marks">back from down, fragments being verified: <b>${repair.nodeMarks.map(escape).join(', ')}</b></span>`,
      );
  }
  if (status.rebuild && (status.rebuild.running || status.rebuild.passes > 0)) {
    const rebuild = status.rebuild;
    parts.push(
      `<span id="rebuild">rebuild after a topology change ${rebuild.running ? `running: ${rebuild.stripesChecked}/${rebuild.stripesTotal} stripes` : `done (${rebuild.passes} passes)`}, ${rebuild.repaired} stripes rebuilt, ${rebuild.skipped} waiting</span>`,
    );
  }
  if (scrub) {
    const findings = Object.entries(scrub.findings).map(([kind, count]) => `${count} ${kind}`);
    parts.push(
      `<span id="scrub">scrub ${scrub.running ? `running: ${scrub.stripesChecked}/${scrub.stripesTotal} stripes` : `idle after ${scrub.passes} passes`}, findings: ${findings.length === 0 ? 'none' : escape(findings.join(', '))}, ${scrub.repaired} repaired</span>`,
    );
  }
  return parts.length === 0 ? '<p>No consistency manager yet.</p>' : `<p>${parts.join('<br>')}</p>`;
}

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
