import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JobCluster, type JobClusterProps } from '../../lib';
import { testStack } from './fixtures';

const pinned = (name: string, c: string) => `${name}@sha256:${c.repeat(64)}`;
/** The unpinned-base warnings of a synthesized JobCluster, by the path of the image asset they sit on. */
const unpinnedWarnings = (props: JobClusterProps) => {
  const stack = testStack();
  new JobCluster(stack, 'Jobs', props);
  return Annotations.fromStack(stack)
    .findWarning('*', Match.stringLikeRegexp('not a digest'))
    .map((w) => [w.id, String(w.entry.data)] as const);
};

describe('JobCluster image bases at synth', () => {
  it('warns on every runtime image built FROM a tag, naming the base and npm run pin-bases', () => {
    // Arrange / Act
    const warnings = unpinnedWarnings({ imageBases: { python: 'python:3.12-slim-bookworm' } });

    // Assert
    expect(warnings.map(([id]) => id).sort()).toEqual(['/Test/Jobs/BashImage', '/Test/Jobs/NodeImage', '/Test/Jobs/PythonImage']);
    const python = warnings.find(([id]) => id === '/Test/Jobs/PythonImage')?.[1];
    expect(python).toMatch(
      /^the python runtime image builds FROM python:3\.12-slim-bookworm, a tag, not a digest: run `npm run pin-bases`/,
    );
    expect(python).toContain('[ack: cronium:imageBaseNotPinned]');
    expect(warnings.find(([id]) => id === '/Test/Jobs/BashImage')?.[1]).toContain("FROM its Dockerfile's ARG BASE= default");
  });

  it('adds nothing for a base pinned by digest', () => {
    // Arrange / Act
    const warnings = unpinnedWarnings({
      imageBase: pinned('debian:bookworm-slim', 'a'),
      imageBases: { node: pinned('node:22-bookworm-slim', 'c') },
    });

    // Assert
    expect(warnings).toEqual([]);
  });
});
