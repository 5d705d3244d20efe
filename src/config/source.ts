import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import { configError, type Problem, ProblemList, problemAt } from '../ground/errors.js';

/** Keys that would reach Object.prototype (or look like it) in code that copies config objects. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Far more than an experiment file needs, far less than a "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;
/** What V8 says when the parser recursed too deep. */
const STACK_OVERFLOW = 'Maximum call stack size exceeded';

/** `depends: {X: {values: {2: 1000}}}` maps values of an axis, which may be numbers or booleans. */
const SCALAR_KEYS = new Set(['number', 'boolean']);

function valueKeys(ancestors: readonly unknown[]): boolean {
  const keys = ancestors.flatMap((a) => (isPair(a) && isScalar(a.key) ? [String(a.key.value)] : []));
  return keys.length === 3 && keys[0] === 'depends' && keys[2] === 'values';
}

/** A node, or the key of the pair it sits in, found by following a path into the document. */
export interface Located {
  node: Node | null;
  key?: Node;
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

/**
 * One YAML document of an experiment file (a file holds one experiment per document, with `---`
 * between them) and the file's text, kept to point problems at `file:line:col`. Node ranges are
 * offsets into the whole text, so every document of a file shares one line counter.
 */
export class ConfigSource {
  private constructor(
    /** The path as the user gave it, so messages show what they typed. */
    readonly file: string,
    readonly text: string,
    readonly doc: Document,
    readonly lines: LineCounter,
    /** The file holds other documents too (messages then speak of "this document"). */
    private readonly oneOfMany: boolean,
  ) {}

  /** Nodes a command-line override put in the document: the argument, and the node's own text in it. */
  private readonly overrides = new Map<Node, { argument: string; text: string }>();

  /**
   * Marks a node (and everything in it) as written by a command-line argument, so that problems
   * found in it point at the argument, and drops its offsets, which are into the argument, not the file.
   */
  markOverride(node: Node, argument: string, value: string): void {
    visit(node, (_, n) => {
      if (isScalar(n) || isMap(n) || isSeq(n) || isAlias(n)) {
        const range = (n as Node).range;
        this.overrides.set(n as Node, { argument, text: range ? value.slice(range[0], range[1]) : value });
        (n as Node).range = undefined;
      }
    });
  }

  /** Every document of the file, in order; a file with none (empty, comments only) gives one empty document. */
  static documents(file: string, text: string): ConfigSource[] {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
    if (docs.length === 0) {
      const empty = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
      return [new ConfigSource(file, text, empty, lines, false)];
    }
    return docs.map((doc) => new ConfigSource(file, text, doc, lines, docs.length > 1));
  }

  /** A problem at a node (its first character) or at a source offset; no node: the document's start. */
  problem(at: Node | number | null | undefined, message: string): Problem {
    const override = typeof at === 'object' && at ? this.overrides.get(at) : undefined;
    if (override) return { file: this.file, line: 0, col: 0, message, argument: override.argument };
    const start = this.oneOfMany ? (this.doc.range?.[0] ?? 0) : 0;
    const offset = typeof at === 'number' ? at : (at?.range?.[0] ?? start);
    return problemAt(this.file, this.lines, offset, message);
  }

  /**
   * The file as plain data, once it is known to be safe to build: valid YAML, string keys only,
   * no reserved keys, and aliases that do not blow up. Throws every problem found otherwise.
   */
  toData(): unknown {
    const problems = new ProblemList();
    // A syntax error can make later lines parse as repeats of earlier keys (a tab-indented
    // `name:` lands in the parent map), so duplicates count only once the syntax is clean.
    const syntax = this.doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    for (const error of syntax.length > 0 ? syntax : this.doc.errors) {
      problems.add(this.yamlProblem(error));
      // Nesting too deep for the parser overflows the stack once per level it unwinds through
      // (how many depends on the stack left to the caller): the first says it all.
      if (error.message.includes(STACK_OVERFLOW)) break;
    }
    for (const warning of this.doc.warnings) problems.add(this.yamlProblem(warning));
    problems.throwIfAny();
    // A document of nothing but "---" parses to a null scalar with no text.
    const { contents } = this.doc;
    if (contents === null || (isScalar(contents) && contents.value === null && !this.sourceOf(contents))) {
      const message = this.oneOfMany
        ? 'this YAML document is empty; remove its "---" or give it at least "name" and "task"'
        : 'the experiment file is empty; give at least "name" and "task"';
      problems.add(this.problem(null, message));
    }
    this.checkKeys(problems);
    problems.throwIfAny();
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      let alias: Node | undefined;
      visit(this.doc, {
        Alias(_, node) {
          alias = node;
          return visit.BREAK;
        },
      });
      // Unresolved aliases were reported above, so what is left is yaml's alias count limit.
      const message = `aliases expand to too many values (more than ${MAX_ALIAS_COUNT}); write the values out instead of nesting aliases`;
      throw configError([this.problem(alias, message)], cause);
    }
  }

  private yamlProblem(error: YAMLError): Problem {
    const [start, end] = error.pos;
    switch (error.code) {
      case 'DUPLICATE_KEY':
        return this.problem(start, `duplicate key ${this.keyAt(start)}; keep one of them`);
      case 'TAG_RESOLVE_FAILED':
        return this.problem(start, `unknown YAML tag ${this.text.slice(start, end)}; remove it`);
      default:
        return this.problem(start, `invalid YAML: ${error.message}; fix the syntax here`);
    }
  }

  /** The key starting at `offset`, quoted, for duplicate-key messages. */
  private keyAt(offset: number): string {
    let found = '';
    visit(this.doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
          found = JSON.stringify(String(pair.key.value));
          return visit.BREAK;
        }
      },
    });
    return found || 'here';
  }

  /** Keys and aliases: what must hold before the tree can safely become plain data. */
  private checkKeys(problems: ProblemList): void {
    visit(this.doc, {
      Pair: (_, pair, ancestors) => {
        const key = pair.key as Node | null;
        if (isScalar(key) && typeof key.value === 'string') {
          if (RESERVED_KEYS.has(key.value)) {
            problems.add(this.problem(key, `key "${key.value}" is reserved; rename or remove it`));
          }
          return;
        }
        if (isScalar(key) && SCALAR_KEYS.has(typeof key.value) && valueKeys(ancestors)) return;
        problems.add(
          this.problem(
            key ?? (pair.value as Node | null),
            `key ${this.sourceOf(key) || '(empty)'} is not a string; keys must be setting names`,
          ),
        );
      },
      Scalar: (_, scalar) => {
        // 1e-400 reads as 0, which means "frozen" for a learning rate, while 1e400 is refused as
        // infinite: a number that underflows is refused too, unless it was written as a zero.
        const written = this.sourceOf(scalar);
        if (scalar.value === 0 && /[1-9]/.test(written.split(/[eE]/)[0]))
          problems.add(
            this.problem(
              scalar,
              `${written} is too small for a number (it would be read as 0); write 0 for zero, or a number >= 5e-324`,
            ),
          );
      },
      Alias: (_, alias) => {
        if (alias.resolve(this.doc) === undefined) {
          problems.add(
            this.problem(
              alias,
              `alias *${alias.source} has no anchor &${alias.source} before it; define it first`,
            ),
          );
        }
      },
    });
  }

  /** Follows `path` (map keys and list indices) as far as it goes; aliases on the way are resolved. */
  locate(path: readonly string[]): Located {
    let node = this.doc.contents as Node | null;
    let key: Node | undefined;
    for (const step of path) {
      const container = isAlias(node) ? node.resolve(this.doc) : node;
      if (isMap(container)) {
        const pair = container.items.find((p) => isScalar(p.key) && String(p.key.value) === step);
        if (!pair) break;
        key = pair.key as Node;
        // `key:` with nothing after it has no value node: point at the key instead.
        node = (pair.value as Node | null) ?? key;
      } else if (isSeq(container) && container.items[Number(step)]) {
        key = undefined;
        node = container.items[Number(step)] as Node;
      } else {
        break;
      }
    }
    return { node, key };
  }

  /** How a value was written, for "received ..." : numbers as typed (`-1e-3`), strings quoted. */
  received(node: Node | null, value: unknown): string {
    if (isScalar(node) && typeof node.value !== 'string' && typeof node.value === typeof value) {
      // `key:` with nothing after it is null with no text.
      return this.sourceOf(node) || 'nothing';
    }
    return describeValue(value);
  }

  private sourceOf(node: Node | null): string {
    const override = node ? this.overrides.get(node) : undefined;
    if (override) return override.text;
    const range = node?.range;
    return range ? this.text.slice(range[0], range[1]) : 'null';
  }
}

/** A value in a message: scalars as JSON, containers by kind (their text may span many lines). */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value !== null && typeof value === 'object') return 'a map';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}
