// Dockerfiles the unit tests read.

/** A directive, comments, a continued RUN and two stages: the lines that instructionsOf and dockerfileError name. */
export const DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'FROM busybox AS build',
  '',
  '# copy the sources',
  'COPY a /a',
  'RUN echo one \\',
  '    && false',
  'FROM busybox',
  'RUN false',
  ''
].join('\n')
