/** An experiment of one run that trains in a moment (on `data`, a CSV path, when given). */
export const tinyExperiment = (name = 'a', data?: string) =>
  [
    `name: ${name}`,
    'task:',
    '  name: mvn-classifier',
    data ? `  data: ${data}` : '  n_per_class: 4',
    '  epochs: 1',
    'parameterization: tril',
    '',
  ].join('\n');
