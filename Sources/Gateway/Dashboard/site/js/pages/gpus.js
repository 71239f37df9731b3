// #/gpus: every GPU box and its GPUs (every 2 s, every 1 s while a box switches); operators
// see which mode would serve the queued work best (GET /v1/ops/mode/advice), turn a box's
// autopilot on or off (PUT /v1/ops/mode/autopilot) and switch a box's mode after a
// confirmation that says what will drain (which also turns its autopilot off).

import { get, hasRole, post, put } from '../api.js';
import { badge, field, fill, h, refill, setText, statusBox } from '../dom.js';
import { duration, mib, number, orDash } from '../format.js';

const MODES = ['media', 'llm', 'split'];

export function render(ctx) {
  const operator = hasRole(ctx.me.role, 'operator');
  const container = h('div', { id: 'gpu-boxes' });
  const adviceBody = h('div', { id: 'mode-advice-body' });
  const status = statusBox('mode-status');
  ctx.root.append(h('h1', null, 'GPU box'));

  let boxes = [];
  const boxSelect = h('select', { id: 'mode-box', name: 'box' });
  const modeSelect = h('select', { id: 'mode-select', name: 'mode' }, MODES.map((m) => h('option', { value: m }, m)));
  const switchButton = h('button', { type: 'submit', id: 'mode-switch' }, 'Switch mode');
  const confirmText = h('p', { id: 'mode-confirm-text' });
  const yes = h('button', { type: 'button', id: 'mode-confirm-yes', class: 'danger' }, 'Switch');
  const no = h('button', { type: 'button', id: 'mode-confirm-no' }, 'Keep the current mode');
  const dialog = h('dialog', { id: 'mode-confirm', 'aria-labelledby': 'mode-confirm-title', 'aria-describedby': 'mode-confirm-text' },
    h('h2', { id: 'mode-confirm-title' }, 'Switch GPU box mode?'), confirmText, h('div', { class: 'actions' }, yes, no));
  let pending = null;

  if (operator) {
    const form = h('form', { id: 'mode-form', class: 'filters', 'aria-label': 'Switch mode' },
      field('Box', boxSelect), field('Mode', modeSelect), h('div', { class: 'field' }, switchButton));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      confirmSwitch();
    });
    ctx.root.append(h('section', { class: 'card', 'aria-labelledby': 'mode-title' }, h('h2', { id: 'mode-title' }, 'Mode'), form, status), dialog);
    ctx.root.append(h('section', { class: 'card', id: 'mode-advice', 'aria-labelledby': 'mode-advice-title' },
      h('h2', { id: 'mode-advice-title' }, 'Mode advice'), adviceBody));
  }
  ctx.root.append(container);
  ctx.onLeave(() => {
    if (dialog.open) dialog.close();
  });

  async function confirmSwitch() {
    const box = boxes.find((b) => b.box === boxSelect.value) || boxes[0];
    if (!box) {
      ctx.error('No GPU box has reported yet: there is nothing to switch.');
      return;
    }
    switchButton.disabled = true;
    const draining = await ctx.guard(() => runningJobs(box));
    switchButton.disabled = false;
    if (draining === undefined || ctx.left) return;
    pending = { box: box.box, mode: modeSelect.value };
    setText(confirmText,
      `Box ${box.box} goes from ${box.mode || 'no mode'} to ${pending.mode}. ` +
      `${draining} job${draining === 1 ? ' is' : 's are'} running now and will drain first; ` +
      'queued work waits until the new backends are ready.');
    dialog.showModal();
    no.focus();
  }

  // The jobs the box runs now: active jobs of the queues it serves, else its GPUs with a job.
  async function runningJobs(box) {
    const served = box.queues || [];
    const onGPUs = (box.gpus || []).filter((g) => g.current_job).length;
    if (served.length === 0) return onGPUs;
    const queues = await get('/v1/queues', ctx.signal);
    const active = (queues.data || []).filter((q) => served.includes(q.name)).reduce((sum, q) => sum + (q.depth?.active || 0), 0);
    return Math.max(active, onGPUs);
  }

  yes.addEventListener('click', async () => {
    dialog.close();
    if (!pending) return;
    const body = pending;
    pending = null;
    const answer = await ctx.guard(() => post('/v1/ops/mode', body, ctx.signal));
    if (answer) {
      setText(status, `Switch of ${answer.box} to ${answer.mode} requested${answer.agent_alive ? '' : ' (the agent is not reporting: it runs when it is back)'}.`);
      poller.now();
    }
    switchButton.focus();
  });
  no.addEventListener('click', () => {
    pending = null;
    dialog.close();
    switchButton.focus();
  });

  async function toggleAutopilot(box, enabled) {
    const answer = await ctx.guard(() => put('/v1/ops/mode/autopilot', { box, enabled }, ctx.signal));
    if (answer) {
      setText(status, `Autopilot of ${answer.box} ${answer.enabled ? 'on' : 'off'}.`);
      poller.now();
    }
  }

  const poller = ctx.every(() => (boxes.some((b) => b.switching) ? 1000 : 2000), async () => {
    const list = await get('/v1/gpus', ctx.signal);
    if (ctx.left) return;
    boxes = list.data || [];
    syncBoxOptions(boxSelect, boxes);
    if (boxes.length === 0) {
      refill(container, h('p', { class: 'empty', id: 'gpu-empty' }, 'No GPU box has reported yet.'));
      return;
    }
    refill(container, boxes.map((box, index) => boxSection(box, index)));
    if (operator) {
      const advice = await get('/v1/ops/mode/advice', ctx.signal);
      if (ctx.left) return;
      const list = advice.data || [];
      refill(adviceBody, list.length
        ? list.map((a) => adviceSection(a, boxes.find((b) => b.box === a.box), toggleAutopilot))
        : h('p', { class: 'empty' }, 'No live box to advise.'));
    }
  });
}

// One box's advice: the verdict, each mode's figures, the reasons, and its autopilot.
function adviceSection(advice, box, toggle) {
  const seconds = (value) => (typeof value === 'number' ? duration(value * 1000) : 'never');
  const verdict = advice.switch_advised ? `switch to ${advice.recommended}` : `stay in ${advice.recommended}`;
  const rows = (advice.options || []).map((o) => h('tr', { dataset: { mode: o.mode }, class: o.mode === advice.recommended ? 'advised' : null },
    h('th', { scope: 'row' }, o.mode), h('td', null, `${o.media_gpus} + ${o.llm_gpus}`), h('td', null, seconds(o.finish_seconds)),
    h('td', null, seconds(o.render_wait_seconds)), h('td', null, seconds(o.chat_wait_seconds)),
    h('td', null, o.meets_targets ? badge('met', 'ok') : badge('missed', 'warn')),
    h('td', { class: 'advice-windows' }, windowsCell(o, advice.llm?.windows || []))));
  return h('div', { class: 'mode-advice-box', dataset: { box: advice.box } },
    h('h3', null, `Box ${advice.box}: `, h('span', { class: 'advice-verdict' }, verdict)),
    h('table', { class: 'advice-options' },
      h('thead', null, h('tr', null, ['Mode', 'GPUs (media + LLM)', 'Queued work done in', 'New render waits', 'New chat waits', 'Targets', 'Batch windows']
        .map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', null, rows)),
    h('p', { class: 'advice-targets' },
      `Targets (the box's mode_targets): a new render starts within ${seconds(advice.targets?.render_wait_seconds)}, `
        + `a new chat within ${seconds(advice.targets?.chat_wait_seconds)}.`),
    h('ul', { class: 'advice-reasons' }, (advice.reasons || []).map((reason) => h('li', null, reason))),
    autopilotLine(advice.box, box?.autopilot, toggle));
}

// Whether a mode finishes every batch with a window in time ("all 2 met", "1 of 2 missed").
function windowsCell(option, windows) {
  if (windows.length === 0) return 'none open';
  const missed = option.windows_missed || 0;
  return missed === 0 ? badge(`all ${windows.length} met`, 'ok') : badge(`${missed} of ${windows.length} missed`, 'warn');
}

// "Autopilot: on — hold: <why> (1 automatic switch)" and the button that turns it the other way.
function autopilotLine(name, autopilot, toggle) {
  const on = Boolean(autopilot?.enabled);
  const switches = autopilot?.switches || 0;
  let detail = on
    ? `on (dwell ${duration(autopilot.min_dwell_seconds * 1000)}, gain ${duration(autopilot.min_gain_seconds * 1000)}, ` +
      `confirm ${duration(autopilot.confirm_seconds * 1000)})`
    : 'off: only operators switch this box';
  if (on && autopilot.reason) detail += ` — ${autopilot.decision}: ${autopilot.reason}`;
  if (!on && autopilot?.note) detail += ` — ${autopilot.note}`;
  if (switches) detail += ` (${number(switches)} automatic switch${switches === 1 ? '' : 'es'})`;
  const button = h('button', { type: 'button', class: 'autopilot-toggle' }, on ? 'Turn autopilot off' : 'Turn autopilot on');
  button.addEventListener('click', () => {
    button.disabled = true;
    toggle(name, !on);
  });
  return h('p', { class: 'autopilot', dataset: { enabled: String(on) } },
    h('strong', null, 'Autopilot: '), h('span', { class: 'autopilot-state' }, detail), ' ', button);
}

function syncBoxOptions(select, boxes) {
  const names = boxes.map((b) => b.box);
  if (Array.from(select.options).map((o) => o.value).join('\n') === names.join('\n')) return;
  const chosen = select.value;
  fill(select, names.map((name) => h('option', { value: name }, name)));
  if (names.includes(chosen)) select.value = chosen;
  select.disabled = names.length === 0;
}

function boxSection(box, index) {
  const restarts = Object.entries(box.backend_restarts || {});
  const header = h('dl', { class: 'facts box-facts' },
    h('dt', null, 'Mode'), h('dd', { class: 'box-mode' }, orDash(box.mode)),
    h('dt', null, 'Desired mode'), h('dd', { class: 'box-desired' }, orDash(box.desired_mode)),
    h('dt', null, 'Agent'), h('dd', { class: 'box-alive' }, box.alive ? badge('alive', 'ok') : badge('not reporting', 'bad')),
    h('dt', null, 'Last heartbeat'), h('dd', { class: 'box-heartbeat' }, `${duration(box.heartbeat_age_ms)} ago`),
    h('dt', null, 'Serves'), h('dd', null, (box.queues || []).length ? box.queues.join(', ') : 'nothing'),
    h('dt', null, 'Backend restarts'), h('dd', null, restarts.length ? restarts.map(([k, v]) => `${k}: ${v}`).join(', ') : '0'));
  const parts = [h('h2', { id: `box-title-${index}` }, `Box ${box.box}`), header];
  if (box.switching) parts.push(switchSteps(box.switching, index === 0 ? 'switch-steps' : null, true));
  else if (box.last_switch) parts.push(h('details', { class: 'last-switch', dataset: { key: `last-switch-${box.box}` } },
    h('summary', { dataset: { key: `last-switch-summary-${box.box}` } }, `Last switch: ${box.last_switch.from || 'none'} → ${box.last_switch.to}, ${box.last_switch.outcome || 'ended'}` +
      (box.last_switch.duration_ms ? ` in ${duration(box.last_switch.duration_ms)}` : '')),
    switchSteps(box.last_switch, null, false)));
  if (box.last_switch_error) parts.push(h('p', { class: 'bad-text' }, `Last switch error: ${box.last_switch_error}`));
  if (Array.isArray(box.backend_output) && box.backend_output.length) {
    parts.push(h('h3', null, 'Backend output'), h('pre', { class: 'backend-output' }, box.backend_output.join('\n')));
  }
  parts.push(h('div', { class: 'gpu-grid' }, (box.gpus || []).map((gpu) => gpuCard(box, gpu))));
  return h('section', { class: 'box', dataset: { box: box.box }, 'aria-labelledby': `box-title-${index}` }, parts);
}

function switchSteps(progress, id, live) {
  const items = (progress.steps || []).map((step) =>
    h('li', { class: step.succeeded ? 'step-done' : 'step-failed', dataset: { step: step.step } },
      `${step.rolling_back ? 'rollback: ' : ''}${step.step} — ${step.succeeded ? 'done' : 'failed'} in ${duration(step.duration_ms)}`,
      step.message ? ` (${step.message})` : ''));
  if (live) {
    items.push(h('li', { class: 'step-current', 'aria-current': 'step', dataset: { step: progress.step } },
      `${progress.rolling_back ? 'rollback: ' : ''}${progress.step} — running`));
  }
  const list = h('ol', { class: 'switch-steps', 'aria-live': live ? 'polite' : null, id }, items);
  if (!live) return list;
  return h('div', { class: 'switching' }, h('h3', null, `Switching ${progress.from || 'none'} → ${progress.to}`), list);
}

function gpuCard(box, gpu) {
  const healthKind = gpu.health === 'healthy' ? 'ok' : gpu.health === 'draining' ? 'warn' : 'bad';
  const memory = gpu.memory_used_mib !== undefined && gpu.memory_used_mib !== null
    ? `${mib(gpu.memory_used_mib)} of ${mib(gpu.memory_total_mib)}` : '—';
  const restarts = gpu.backend ? box.backend_restarts?.[gpu.backend] ?? 0 : undefined;
  const job = gpu.current_job
    ? h('a', { class: 'gpu-job mono', href: `#/jobs/${encodeURIComponent(gpu.current_job)}`, dataset: { key: `job-${box.box}/${gpu.index}` } }, gpu.current_job)
    : h('span', { class: 'gpu-job' }, 'idle');
  const utilization = typeof gpu.utilization_percent === 'number' ? gpu.utilization_percent : null;
  const bar = utilization === null ? null
    : h('progress', { class: 'gpu-utilization-bar', max: 100, value: utilization, 'aria-label': `Utilization of GPU ${gpu.index}` });
  const progress = gpu.current_job ? gpu.current_job_progress : null;
  return h('article', { class: 'card gpu-card', dataset: { gpu: `${box.box}/${gpu.index}` }, 'aria-label': `GPU ${gpu.index} of ${box.box}` },
    h('h3', null, `GPU ${gpu.index}`, h('span', { class: 'muted' }, ` ${gpu.name || ''}`)),
    h('dl', { class: 'facts' },
      h('dt', null, 'Mode'), h('dd', { class: 'gpu-mode' }, orDash(gpu.role)),
      h('dt', null, 'Backend'), h('dd', { class: 'gpu-backend' }, `${orDash(gpu.backend)} (${orDash(gpu.backend_state)})`),
      h('dt', null, 'Health'), h('dd', { class: `gpu-health health-${gpu.health}` }, badge(gpu.health, healthKind),
        gpu.health_reason ? h('span', { class: 'gpu-health-reason' }, ` ${gpu.health_reason}`) : null),
      gpu.drain ? [h('dt', null, 'Drained by'), h('dd', { class: 'gpu-drain' }, `${gpu.drain.requested_by}: ${gpu.drain.reason}`)] : null,
      h('dt', null, 'Job'), h('dd', null, job),
      typeof progress === 'number' ? [h('dt', null, 'Progress'), h('dd', null, h('progress', { class: 'gpu-progress', max: 1, value: progress, 'aria-label': `Progress of the job on GPU ${gpu.index}` }))] : null,
      h('dt', null, 'Utilization'), h('dd', { class: 'gpu-utilization' }, bar, utilization === null ? '—' : ` ${utilization}%`),
      h('dt', null, 'Memory'), h('dd', { class: 'gpu-memory' }, memory),
      h('dt', null, 'Temperature'), h('dd', { class: 'gpu-temperature' }, gpu.temperature_celsius === undefined || gpu.temperature_celsius === null ? '—' : `${gpu.temperature_celsius} °C`),
      h('dt', null, 'Restarts'), h('dd', { class: 'gpu-restarts' }, restarts === undefined ? '—' : number(restarts))),
    Array.isArray(gpu.backend_output) && gpu.backend_output.length
      ? [h('h4', null, 'Last backend output'), h('pre', { class: 'backend-output' }, gpu.backend_output.join('\n'))] : null);
}
