import { useState, type SubmitEvent } from 'react';
import type { AgentListItem } from '../../core/api/views.js';
import { seg } from '../api.js';
import { ErrorBox } from '../components/error-box.js';
import { LoadedView } from '../components/loaded-view.js';
import { JsonView } from '../components/json-view.js';
import { StatusMark } from '../components/status.js';
import { ago } from '../format.js';
import { useCan, useEachEnvironment, useLoad, useSession } from '../hooks.js';
import { fieldText, inputFields, readFormInput, type InputField } from '../input-form.js';
import { Link, navigate } from '../router.js';

/** Every agent the key may see, by environment, with its newest run. */
export function AgentsPage() {
  const all = useEachEnvironment('agents', (api, _env, path) => api.get('listAgents', `${path}/agents`));
  return (
    <section>
      <h1>Agents</h1>
      <LoadedView state={all} what="agents">
        {(lists) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Environment</th>
                <th scope="col">Model</th>
                <th scope="col">Tools</th>
                <th scope="col">Last run</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {lists.flatMap(({ env, value }) =>
                value.map((a) => <AgentRow key={`${env}/${a.name}`} env={env} a={a} />),
              )}
            </tbody>
          </table>
        )}
      </LoadedView>
    </section>
  );
}

function AgentRow({ env, a }: { env: string; a: AgentListItem }) {
  return (
    <tr>
      <td>
        <Link to={`/agents/${seg(env)}/${seg(a.name)}`}>{a.name}</Link>
      </td>
      <td>{env}</td>
      <td>{a.model ?? 'default'}</td>
      <td>{a.tools.length}</td>
      <td>
        {a.lastRun === null ? (
          'never'
        ) : (
          <Link to={`/runs/${String(a.lastRun.id)}`}>
            <StatusMark status={a.lastRun.status} /> {ago(a.lastRun.at)}
          </Link>
        )}
      </td>
      <td>{a.description}</td>
    </tr>
  );
}

/** One agent: what a run of it uses, its tools, input schema and prompt, and a run form built from the schema. */
export function AgentPage({ env, name }: { env: string; name: string }) {
  const { api } = useSession();
  const shown = useLoad(
    () => api.get('getAgent', `/api/v1/environments/${seg(env)}/agents/${seg(name)}`),
    `agent:${env}/${name}`,
  );
  const canRun = useCan('run', env);
  return (
    <LoadedView state={shown} what={name}>
      {({ agent, text, run }) => (
        <section>
          <h1>
            {agent.name} <span className="muted">in {env}</span>
          </h1>
          <p>{agent.description}</p>
          <dl>
            <dt>Model</dt>
            <dd>
              {run.model.model} <span className="muted">({run.model.reason})</span>
            </dd>
            <dt>Answer</dt>
            <dd>{run.output.format}</dd>
            <dt>Max steps</dt>
            <dd>{agent.maxSteps ?? 'default'}</dd>
            <dt>File</dt>
            <dd>
              <code>{agent.fileName}</code>
            </dd>
          </dl>
          {canRun ? (
            <RunForm env={env} name={agent.name} fields={inputFields(agent.inputSchema)} />
          ) : (
            <p className="hint">Your key may read this agent but not run it.</p>
          )}
          <h2>Tools ({agent.tools.length})</h2>
          <ul className="plain">
            {agent.tools.map((t) => (
              <li key={t}>
                <code>{t}</code>
              </li>
            ))}
          </ul>
          <h2>Input schema</h2>
          <JsonView value={agent.inputSchema} label="input schema" />
          <h2>Prompt file</h2>
          <pre className="source">{text}</pre>
        </section>
      )}
    </LoadedView>
  );
}

function RunForm({ env, name, fields }: { env: string; name: string; fields: InputField[] }) {
  const { api } = useSession();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = (e: SubmitEvent<HTMLFormElement>): void => {
    e.preventDefault();
    let input: Record<string, unknown>;
    try {
      input = readFormInput(fields, new FormData(e.currentTarget));
    } catch (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    api.post('startRun', `/api/v1/environments/${seg(env)}/agents/${seg(name)}/runs`, { input }).then(
      (started) => navigate(`/runs/${String(started.id)}`),
      (problem: unknown) => {
        setBusy(false);
        setError(problem);
      },
    );
  };
  return (
    <form className="run-form" onSubmit={submit} aria-label={`Run ${name}`}>
      <h2>Run</h2>
      {fields.map((f) => (
        <div key={f.name} className="field">
          <label htmlFor={`in-${f.name}`}>
            {f.name}
            {f.required ? ' *' : ''} <span className="muted">{f.kind}</span>
          </label>
          {f.description !== '' && <p className="hint">{f.description}</p>}
          {f.kind === 'boolean' ? (
            <input id={`in-${f.name}`} name={f.name} type="checkbox" defaultChecked={f.default === true} />
          ) : f.options !== undefined ? (
            <select id={`in-${f.name}`} name={f.name} defaultValue={fieldText(f.default)}>
              {!f.required && <option value="">(none)</option>}
              {f.options.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : f.kind === 'json' || f.name === 'userInput' ? (
            <textarea
              id={`in-${f.name}`}
              name={f.name}
              rows={f.kind === 'json' ? 4 : 3}
              required={f.required}
              defaultValue={fieldText(f.default)}
            />
          ) : (
            <input
              id={`in-${f.name}`}
              name={f.name}
              type={f.kind === 'string' ? 'text' : 'number'}
              step={f.kind === 'integer' ? 1 : 'any'}
              required={f.required}
              defaultValue={fieldText(f.default)}
            />
          )}
        </div>
      ))}
      <button type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Start run'}
      </button>
      {error !== undefined && <ErrorBox error={error} />}
    </form>
  );
}
