/**
 * Long lines of Markdown written across short source lines. `prose` is a template tag: each line break in
 * the template's own text, with the spaces and tabs around it, becomes one space; the values put in are
 * kept as they are. `row` writes a Markdown table row.
 */

const LINE_BREAK = /[ \t]*\n[ \t]*/g;

export function prose(strings: TemplateStringsArray, ...values: ReadonlyArray<string | number>): string {
  let text = strings[0]!.replace(LINE_BREAK, ' ');
  for (let i = 0; i < values.length; i++) text += `${values[i]!}${strings[i + 1]!.replace(LINE_BREAK, ' ')}`;
  return text;
}

/** `| a | b | c |` */
export function row(...cells: ReadonlyArray<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

/** A table's header row and the separator under it. */
export function tableHead(...titles: ReadonlyArray<string>): [string, string] {
  return [row(...titles), row(...titles.map(() => '---'))];
}
