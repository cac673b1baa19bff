import { eventRuntimes, httpMethods, type Server, type Variable } from '../../api/eventTypes';
import { CodeEditor } from '../../ui/CodeEditor';
import { Field } from '../../ui/components';
import { EnvEditor } from './EnvEditor';
import type { EventForm } from './eventForm';

export interface FieldsProps {
  form: EventForm;
  set: (patch: Partial<EventForm>) => void;
  servers: Server[];
  variables: Variable[];
}

type TextKey = { [K in keyof EventForm]: EventForm[K] extends string ? K : never }[keyof EventForm];

/** Every part of an event, as inputs. */
export const EventFields = ({ form, set, servers, variables }: FieldsProps) => {
  const bind = (key: TextKey) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => set({ [key]: e.target.value }),
  });
  const scriptRuntime = form.runtime !== 'http' && form.runtime !== 'tool';

  return (
    <>
      <div className="form-grid">
        <Field label="Name">
          <input {...bind('name')} />
        </Field>
        <Field label="Runtime">
          <select {...bind('runtime')}>
            {eventRuntimes.map((r) => (
              <option key={r} value={r}>
                {r === 'node' ? 'node (Node.js)' : r === 'http' ? 'http (an HTTP request)' : r}
              </option>
            ))}
          </select>
        </Field>
      </div>

      {scriptRuntime ? (
        <section>
          <h2>Script</h2>
          <CodeEditor
            value={form.script}
            onChange={(script) => set({ script })}
            language={form.runtime as 'bash' | 'python' | 'node'}
            label="Script"
          />
        </section>
      ) : form.runtime === 'http' ? (
        <section>
          <h2>HTTP request</h2>
          <div className="form-grid">
            <Field label="Method">
              <select {...bind('httpMethod')}>
                {httpMethods.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </Field>
            <Field label="URL">
              <input type="url" placeholder="https://example.com/api" {...bind('httpUrl')} />
            </Field>
            <Field label="Timeout (ms)">
              <input type="number" min={1} {...bind('httpTimeoutMs')} />
            </Field>
            <Field label="Expected status" hint="Default: any 2xx">
              <input type="number" min={100} max={599} {...bind('httpExpectStatus')} />
            </Field>
          </div>
          <Field label="Headers (JSON object)">
            <textarea className="mono" rows={3} placeholder='{"accept": "application/json"}' {...bind('httpHeaders')} />
          </Field>
          <Field label="Body">
            <textarea className="mono" rows={4} {...bind('httpBody')} />
          </Field>
        </section>
      ) : (
        <section>
          <h2>Tool action</h2>
          <Field label="Tool action (JSON)" hint="See docs/notifications.md for the actions.">
            <textarea className="mono" rows={6} {...bind('tool')} />
          </Field>
        </section>
      )}

      {scriptRuntime ? (
        <section>
          <h2>Target</h2>
          <fieldset className="choices">
            <legend className="field-label">Runs in</legend>
            <label>
              <input
                type="radio"
                name="target"
                checked={form.targetType === 'container'}
                onChange={() => set({ targetType: 'container' })}
              />{' '}
              a container
            </label>
            <label>
              <input type="radio" name="target" checked={form.targetType === 'ssh'} onChange={() => set({ targetType: 'ssh' })} /> my
              servers (SSH)
            </label>
          </fieldset>
          {form.targetType === 'ssh' ? (
            servers.length === 0 ? (
              <p className="muted">No servers yet: add one on the Servers page.</p>
            ) : (
              <fieldset className="choices">
                <legend className="field-label">Servers</legend>
                {servers.map((s) => (
                  <label key={s.id}>
                    <input
                      type="checkbox"
                      checked={form.serverIds.includes(s.id)}
                      onChange={(e) =>
                        set({ serverIds: e.target.checked ? [...form.serverIds, s.id] : form.serverIds.filter((id) => id !== s.id) })
                      }
                    />{' '}
                    {s.name} <span className="muted">{s.host}</span>
                  </label>
                ))}
              </fieldset>
            )
          ) : null}
        </section>
      ) : null}

      <section>
        <h2>Environment</h2>
        <EnvEditor rows={form.env} variables={variables} onChange={(env) => set({ env })} />
      </section>

      <section>
        <h2>Limits</h2>
        <div className="form-grid">
          <Field label="Timeout (seconds)">
            <input type="number" {...bind('timeoutSeconds')} />
          </Field>
          <Field label="CPU">
            <input type="number" step="0.1" {...bind('cpu')} />
          </Field>
          <Field label="Memory (MB)">
            <input type="number" {...bind('memoryMb')} />
          </Field>
          <Field label="Processes (pids)">
            <input type="number" {...bind('pids')} />
          </Field>
          <Field label="Disk (MB)">
            <input type="number" {...bind('diskMb')} />
          </Field>
          <Field label="Priority">
            <select {...bind('priority')}>
              <option value="">normal (default)</option>
              <option value="high">high</option>
              <option value="low">low</option>
            </select>
          </Field>
        </div>
      </section>

      <section>
        <h2>Retries and concurrency</h2>
        <div className="form-grid">
          <Field label="Retries (max)" hint="Blank: a failure is final">
            <input type="number" min={0} {...bind('retriesMax')} />
          </Field>
          <Field label="Backoff (seconds)">
            <input type="number" min={0} {...bind('backoffSeconds')} />
          </Field>
          <Field label="Backoff factor">
            <input type="number" min={1} step="0.1" {...bind('factor')} />
          </Field>
          <Field label="Longest backoff (seconds)">
            <input type="number" min={0} {...bind('maxBackoffSeconds')} />
          </Field>
          <Field label="Runs at once (max)" hint="Blank: no limit of its own">
            <input type="number" min={1} {...bind('concurrencyMax')} />
          </Field>
          <Field label="Above the limit">
            <select {...bind('onLimit')}>
              <option value="queue">wait (queue)</option>
              <option value="skip">skip the run</option>
            </select>
          </Field>
        </div>
      </section>

      <section>
        <h2>Notifications</h2>
        <Field label="Notify rules (JSON)" hint='[{"on": ["failed"], "action": {…a tool action…}}]; see docs/notifications.md'>
          <textarea className="mono" rows={5} {...bind('notify')} />
        </Field>
      </section>
    </>
  );
};
