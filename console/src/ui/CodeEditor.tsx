import { lazy, Suspense } from 'react';
import type { CodeEditorProps } from './codeMirrorEditor';

// CodeMirror is a chunk of its own, fetched only when an editor is on screen.
const Editor = lazy(() => import('./codeMirrorEditor'));

/** A code editor with syntax highlighting for Bash, Python and Node.js, in the OS's light or dark theme. */
export const CodeEditor = (props: CodeEditorProps) => (
  <Suspense
    fallback={
      <p className="muted" role="status">
        Loading the editor…
      </p>
    }
  >
    <Editor {...props} />
  </Suspense>
);
