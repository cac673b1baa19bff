import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import { useEffect, useRef } from 'react';

export type CodeLanguage = 'bash' | 'python' | 'node';

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  language: CodeLanguage;
  /** The accessible name of the editing area. */
  label: string;
}

// Each language is a chunk of its own, fetched when an editor first shows it.
const languages: Record<CodeLanguage, () => Promise<Extension>> = {
  python: async () => (await import('@codemirror/lang-python')).python(),
  node: async () => (await import('@codemirror/lang-javascript')).javascript(),
  bash: async () => StreamLanguage.define((await import('@codemirror/legacy-modes/mode/shell')).shell),
};

// codemirror's basicSetup without completion popups and lint (a script editor here uses neither),
// which keeps the chunk smaller; Tab is left to move focus, so the editor never traps the keyboard.
const setup: Extension = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightSpecialChars(),
  history(),
  foldGutter(),
  drawSelection(),
  dropCursor(),
  EditorState.allowMultipleSelections.of(true),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  highlightActiveLine(),
  highlightSelectionMatches(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap]),
];

const darkQuery = '(prefers-color-scheme: dark)';

// Colours come from the console's CSS variables (the --tok-* ones in events.css), which reach into the
// shadow root by inheritance, so they follow the OS theme; `dark` only switches CodeMirror's own
// defaults (cursor, selection).
const chrome = (dark: boolean) =>
  EditorView.theme(
    {
      '&': {
        backgroundColor: 'var(--bg)',
        color: 'var(--fg)',
        border: '1px solid var(--line)',
        borderRadius: '6px',
        minHeight: '12rem',
        maxHeight: '60vh',
      },
      '&.cm-focused': { outline: '2px solid var(--accent)' },
      '.cm-scroller': { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace", fontSize: '13px' },
      '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--line)' },
      '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
      '.cm-content': { caretColor: 'var(--fg)' },
      '.cm-cursor': { borderLeftColor: 'var(--fg)' },
      '.tok-keyword, .tok-bool, .tok-null': { color: 'var(--tok-keyword)' },
      '.tok-string, .tok-string2': { color: 'var(--tok-string)' },
      '.tok-number, .tok-atom': { color: 'var(--tok-number)' },
      '.tok-comment': { color: 'var(--tok-comment)', fontStyle: 'italic' },
      '.tok-variableName.tok-definition, .tok-propertyName, .tok-typeName, .tok-className': { color: 'var(--tok-name)' },
      '.tok-variableName2, .tok-macroName': { color: 'var(--tok-fn)' },
      '.tok-operator': { color: 'var(--tok-op)' },
    },
    { dark },
  );

/**
 * CodeMirror 6 in a React component; the document is owned by CodeMirror and reported through onChange.
 * It lives in a shadow root: there CodeMirror puts its styles in an adopted style sheet, which the
 * console's CSP allows, where in the document it would add a <style> tag that `style-src 'self'` blocks.
 */
const CodeMirrorEditor = ({ value, onChange, language, label }: CodeEditorProps) => {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const lang = useRef(new Compartment());
  const theme = useRef(new Compartment());
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const media = window.matchMedia(darkQuery);
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const v = new EditorView({
      root: shadow,
      parent: shadow,
      doc: value,
      extensions: [
        setup,
        syntaxHighlighting(classHighlighter),
        lang.current.of([]),
        theme.current.of(chrome(media.matches)),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) changed.current(u.state.doc.toString());
        }),
      ],
    });
    view.current = v;
    const onTheme = () => v.dispatch({ effects: theme.current.reconfigure(chrome(media.matches)) });
    media.addEventListener('change', onTheme);
    return () => {
      media.removeEventListener('change', onTheme);
      v.destroy();
      view.current = null;
    };
    // Created once: later props reach it through the effects below.
  }, []);

  useEffect(() => {
    let current = true;
    void languages[language]().then((extension) => {
      if (current) view.current?.dispatch({ effects: lang.current.reconfigure(extension) });
    });
    return () => {
      current = false;
    };
  }, [language]);

  // A value set from outside (an event loaded, a reset) replaces the document; the editor's own edits
  // come back equal and change nothing.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div className="code-editor" ref={host} data-language={language} />;
};

export default CodeMirrorEditor;
