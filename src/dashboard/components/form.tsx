// Forms that send one API request: labelled fields, a busy state while it runs, and the
// API's refusal shown next to the field it is about (the sentence names it: "Invalid app
// name ...", "Invalid number of units ..."), with focus moved there; otherwise by the button.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { errorText } from "../api/client";
import { fieldFor } from "../lib/field-for";

export type FieldValue = string | boolean | File | null;
export type Values = Record<string, FieldValue>;

export interface FieldDef {
  name: string;
  label: string;
  type?: "text" | "password" | "email" | "number" | "select" | "checkbox" | "file" | "textarea";
  options?: Array<string | [value: string, label: string]>;
  required?: boolean;
  placeholder?: string;
  hint?: string;
  /** Which API sentences are about this field (default: sentences naming it). */
  match?: RegExp;
  autocomplete?: string;
  accept?: string;
  initial?: string | boolean;
}

function initialValues(fields: readonly FieldDef[]): Values {
  const v: Values = {};
  for (const f of fields)
    v[f.name] =
      f.type === "checkbox" ? f.initial === true : f.type === "file" ? null : String(f.initial ?? "");
  return v;
}

export interface FormProps {
  id: string;
  fields: FieldDef[];
  submit: string;
  /** Label while the request runs ("Creating…"). */
  busy?: string;
  /** Sends the request; a thrown ApiError's sentence is shown. */
  onSubmit(values: Values): Promise<void>;
  /** Clear the fields after a success (default true). */
  reset?: boolean;
  inline?: boolean;
  children?: ComponentChildren;
}

export function Form(p: FormProps) {
  const [values, setValues] = useState<Values>(() => initialValues(p.fields));
  const [error, setError] = useState("");
  const [errorField, setErrorField] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const set = (name: string, v: FieldValue) => setValues((old) => ({ ...old, [name]: v }));

  const onSubmit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setBusy(true);
    setError("");
    setErrorField("");
    setDone(false);
    try {
      await p.onSubmit(values);
      if (p.reset !== false) {
        setValues(initialValues(p.fields));
        formRef.current?.reset();
      }
      setDone(true);
    } catch (e) {
      const msg = errorText(e);
      const field = fieldFor(msg, p.fields);
      setError(msg);
      setErrorField(field);
      // Let the error render, then bring the keyboard to the field it is about.
      setTimeout(() => {
        const el = formRef.current?.querySelector<HTMLElement>(
          field ? `[name="${field}"]` : `#${p.id}-error`,
        );
        el?.focus();
      }, 0);
    } finally {
      setBusy(false);
    }
  };

  const errId = `${p.id}-error`;
  return (
    <form
      ref={formRef}
      id={p.id}
      class={p.inline ? "form form-inline" : "form"}
      onSubmit={onSubmit}
      noValidate
    >
      {p.fields.map((f) => {
        const fid = `${p.id}-${f.name}`;
        const isErr = errorField === f.name && !!error;
        const described = [f.hint ? `${fid}-hint` : "", isErr ? errId : ""].filter(Boolean).join(" ");
        const common = {
          id: fid,
          name: f.name,
          "aria-invalid": isErr ? ("true" as const) : undefined,
          "aria-describedby": described || undefined,
          required: f.required,
          disabled: busy,
        };
        const v = values[f.name];
        let control;
        if (f.type === "checkbox")
          control = (
            <input
              {...common}
              type="checkbox"
              checked={v === true}
              onChange={(e) => set(f.name, (e.target as HTMLInputElement).checked)}
            />
          );
        else if (f.type === "select")
          control = (
            <select
              {...common}
              value={String(v ?? "")}
              onChange={(e) => set(f.name, (e.target as HTMLSelectElement).value)}
            >
              {(f.options ?? []).map((o) => {
                const [val, label] = Array.isArray(o) ? o : [o, o || "—"];
                return (
                  <option key={val} value={val}>
                    {label}
                  </option>
                );
              })}
            </select>
          );
        else if (f.type === "textarea")
          control = (
            <textarea
              {...common}
              rows={6}
              placeholder={f.placeholder}
              value={String(v ?? "")}
              onInput={(e) => set(f.name, (e.target as HTMLTextAreaElement).value)}
            />
          );
        else if (f.type === "file")
          control = (
            <input
              {...common}
              type="file"
              accept={f.accept}
              onChange={(e) => set(f.name, (e.target as HTMLInputElement).files?.[0] ?? null)}
            />
          );
        else
          control = (
            <input
              {...common}
              type={f.type ?? "text"}
              placeholder={f.placeholder}
              autocomplete={f.autocomplete}
              value={String(v ?? "")}
              onInput={(e) => set(f.name, (e.target as HTMLInputElement).value)}
            />
          );
        return (
          <div class={f.type === "checkbox" ? "field field-check" : "field"} key={f.name}>
            {f.type === "checkbox" ? (
              <>
                {control}
                <label for={fid}>{f.label}</label>
              </>
            ) : (
              <>
                <label for={fid}>{f.label}</label>
                {control}
              </>
            )}
            {f.hint ? (
              <p class="hint" id={`${fid}-hint`}>
                {f.hint}
              </p>
            ) : null}
            {isErr ? (
              <p class="field-error" id={errId} role="alert" tabIndex={-1}>
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      {p.children}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? (p.busy ?? "Working…") : p.submit}
        </button>
        {error && !errorField ? (
          <p class="field-error" id={errId} role="alert" tabIndex={-1}>
            {error}
          </p>
        ) : null}
        {done && !error ? (
          <span class="sr-only" role="status">
            Done.
          </span>
        ) : null}
      </div>
    </form>
  );
}
