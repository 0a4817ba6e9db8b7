// The add/edit form of a camera, drawn by rjsf from the camera item of the config's JSON Schema. Validation in
// the browser runs ajv code compiled at build time (the CSP forbids eval); the server checks again, and a 400's
// issues are shown beside their fields. An edit sends only the fields the user changed (PATCH semantics),
// so that a URL shown with its password masked is never written back. The objects and zones sections are kept
// in its data but not drawn (see EditedElsewhere).
import Form from '@rjsf/core';
import type { IChangeEvent } from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema, ValidatorType } from '@rjsf/utils';
import { deepEquals } from '@rjsf/utils';
import createPrecompiledValidator from '@rjsf/validator-ajv8/lib/createPrecompiledValidator.js';
import { useEffect, useState } from 'react';
import validateFns, { cameraSchema } from 'virtual:camera-validator';
import type {
  CameraCreateBody,
  CameraPatchBody,
  CameraView,
  TestConnectionResponse,
} from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { cameraItemSchema } from './cameraSchema.ts';
import { fieldErrors, issuesOf, type RequestIssue } from './requestIssues.ts';

type CameraFormData = Partial<CameraCreateBody>;

/** The schema to draw and its validator: the precompiled one when the server serves the schema it was built from. */
type FormSchema = { schema: RJSFSchema; validator: ValidatorType; checkedInBrowser: boolean };

/** A UI built from another version of the config than the server's: every check is left to the server. */
const serverSideOnly: ValidatorType = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  isValid: () => true,
  rawValidation: () => ({}),
};

async function loadFormSchema(): Promise<FormSchema> {
  const served = cameraItemSchema(await api<unknown>('/api/config/schema'));
  if (deepEquals(served, cameraSchema))
    return {
      schema: cameraSchema,
      validator: createPrecompiledValidator(validateFns, cameraSchema),
      checkedInBrowser: true,
    };
  return { schema: served as RJSFSchema, validator: serverSideOnly, checkedInBrowser: false };
}

const LABELS: Record<keyof CameraCreateBody, string> = {
  id: 'Camera id',
  name: 'Name',
  url: 'Stream URL',
  fps: 'Frames per second',
  width: 'Decoded width (px)',
  height: 'Decoded height (px)',
  model: 'Model',
  enabled: 'Enabled',
  rtspTransport: 'RTSP transport',
  objects: 'Objects',
  zones: 'Zones',
};

/**
 * Not in this form: zones and masks are drawn in the editor on the camera's Live page, and the objects section's
 * labels and filters (a list and a map, which the form's default templates draw as unlabelled icon buttons) are
 * edited in the config file or through the API. Their values stay in the form's data, so a save keeps them.
 */
function EditedElsewhere(): null {
  return null;
}
/** objects.track is optional with at least one label: an empty item filled in for it would block every save. */
const DEFAULT_FORM_STATE = { arrayMinItems: { populate: 'requiredOnly' } } as const;
const EDITED_ELSEWHERE = { 'ui:field': EditedElsewhere, 'ui:widget': 'hidden' } as const;

function uiSchemaFor(editing: boolean): UiSchema<CameraFormData> {
  const ui: UiSchema<CameraFormData> = {};
  for (const [field, title] of Object.entries(LABELS)) ui[field] = { 'ui:title': title };
  if (editing) ui['id'] = { ...ui['id'], 'ui:readonly': true };
  ui['objects'] = EDITED_ELSEWHERE;
  ui['zones'] = EDITED_ELSEWHERE;
  return ui;
}

function initialData(camera: CameraView | null): CameraFormData {
  if (!camera) return {};
  const data: CameraFormData = {
    id: camera.id,
    name: camera.name,
    url: camera.url,
    fps: camera.fps,
    model: camera.model,
    enabled: camera.enabled,
    rtspTransport: camera.rtspTransport,
    // Whole, so that defaults filled in by the form never read as changes, and a PATCH of `objects` (which
    // replaces the section) keeps the masks.
    objects: camera.objects,
    zones: camera.zones,
  };
  if (camera.width !== null) data.width = camera.width;
  if (camera.height !== null) data.height = camera.height;
  return data;
}

function TestConnection({ url }: { url: string | undefined }): React.JSX.Element {
  const [state, setState] = useState<{ busy: boolean; text: string; ok: boolean | null }>({
    busy: false,
    text: '',
    ok: null,
  });
  const run = async (): Promise<void> => {
    if (!url) {
      setState({ busy: false, text: 'Enter a stream URL first.', ok: false });
      return;
    }
    setState({ busy: true, text: 'Connecting…', ok: null });
    try {
      const result = await api<TestConnectionResponse>('/api/cameras/test-connection', {
        method: 'POST',
        body: { url },
      });
      setState(
        result.ok
          ? {
              busy: false,
              ok: true,
              text: `Connected: ${result.codec}, ${result.width}×${result.height} (${result.elapsedMs} ms)`,
            }
          : { busy: false, ok: false, text: `Failed: ${result.error}` },
      );
    } catch (error) {
      setState({ busy: false, ok: false, text: `Failed: ${errorText(error)}` });
    }
  };
  return (
    <div className="test-connection">
      <button type="button" onClick={() => void run()} disabled={state.busy}>
        Test connection
      </button>
      <span role="status" className={state.ok === false ? 'error' : state.ok ? 'ok' : 'muted'}>
        {state.text}
      </span>
    </div>
  );
}

export function CameraForm(props: {
  camera: CameraView | null;
  onSaved: (camera: CameraView) => void;
  onCancel: () => void;
}): React.JSX.Element {
  const editing = props.camera !== null;
  const [formSchema, setFormSchema] = useState<FormSchema | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [data, setData] = useState<CameraFormData>(() => initialData(props.camera));
  const [changed, setChanged] = useState<ReadonlySet<string>>(new Set());
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>(undefined);
  const [otherIssues, setOtherIssues] = useState<RequestIssue[]>([]);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    loadFormSchema().then(setFormSchema, (error: unknown) => setLoadError(errorText(error)));
  }, []);

  const onChange = (event: IChangeEvent<CameraFormData>): void => {
    const next = event.formData ?? {};
    const touched = new Set(changed);
    for (const key of new Set([...Object.keys(next), ...Object.keys(data)]))
      if (!deepEquals(next[key as keyof CameraFormData], data[key as keyof CameraFormData])) touched.add(key);
    setChanged(touched);
    setData(next);
  };

  const save = async (formData: CameraFormData): Promise<void> => {
    setSaving(true);
    setSaveError(null);
    setOtherIssues([]);
    setExtraErrors(undefined);
    try {
      const saved = props.camera
        ? await api<CameraView>(`/api/cameras/${encodeURIComponent(props.camera.id)}`, {
            method: 'PATCH',
            body: Object.fromEntries(
              Object.entries(formData).filter(([key]) => key !== 'id' && changed.has(key)),
            ) as CameraPatchBody,
          })
        : await api<CameraView>('/api/cameras', { method: 'POST', body: formData });
      props.onSaved(saved);
    } catch (error) {
      const split = fieldErrors(issuesOf(error), Object.keys(LABELS));
      setExtraErrors(Object.keys(split.extraErrors).length > 0 ? split.extraErrors : undefined);
      setOtherIssues(split.otherIssues);
      const onlyFields = split.otherIssues.length === 0 && Object.keys(split.extraErrors).length > 0;
      setSaveError(onlyFields ? 'Not saved: see the fields marked below.' : `Not saved: ${errorText(error)}`);
    } finally {
      setSaving(false);
    }
  };

  const title = props.camera ? `Edit camera ${props.camera.id}` : 'Add a camera';
  if (loadError) return <p className="error">The camera form could not be loaded: {loadError}</p>;
  if (!formSchema) return <p role="status">Loading the camera form…</p>;
  return (
    <section className="panel camera-form" aria-label={title}>
      <h2>{title}</h2>
      {!formSchema.checkedInBrowser && (
        <p className="muted">
          This UI was built for another version of the appliance: fields are checked by the appliance when saved.
        </p>
      )}
      {saveError && (
        <div role="alert" className="error">
          <p>{saveError}</p>
          {otherIssues.length > 0 && (
            <ul>
              {otherIssues.map((issue, index) => (
                <li key={index}>
                  {issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <Form<CameraFormData>
        schema={formSchema.schema}
        uiSchema={uiSchemaFor(editing)}
        validator={formSchema.validator}
        formData={data}
        onChange={onChange}
        onSubmit={(event) => void save(event.formData ?? {})}
        extraErrors={extraErrors}
        showErrorList={false}
        idPrefix="camera"
        experimental_defaultFormStateBehavior={DEFAULT_FORM_STATE}
        focusOnFirstError
      >
        {/* keyed by the URL: a result never outlives the URL it was for */}
        <TestConnection key={data.url ?? ''} url={data.url} />
        <div className="button-row">
          <button type="submit" className="primary" disabled={saving}>
            {editing ? 'Save changes' : 'Add camera'}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </Form>
    </section>
  );
}
