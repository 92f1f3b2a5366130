// SQL predicates are data, not code. A cut file or a processing config carries a WHERE
// predicate that DuckDB (Node: data-loaders/io/sqlSelect.ts; pages: DuckDB-wasm) runs over the
// feature table. Interpolated as is, such a string could call table functions (read_text,
// read_csv, glob — file contents end up in the error text; an http URL makes DuckDB fetch an
// extension and hang), start a second statement, hide the rest behind a comment, or close the
// parenthesis that binds it (`1=0) OR (1=1`) so that the channel condition no longer holds.
//
// So a predicate must parse as ONE boolean-valued expression over column names, literals,
// operators, BETWEEN / IN (list) / IS [NOT] NULL / CASE, and an allow-list of scalar functions;
// everything else is refused with the offending token and its position. Malformed input is a
// "syntax error: …", like DuckDB's own message, so pages that show either read the same. The check is syntax
// only (which columns exist is for the engine, or for `columns` when the caller knows them).
//
// Why a hand-written tokenizer and recursive-descent parser: it must run synchronously, and the
// same in Node and in the pages, while a config or cut file is validated (before DuckDB is
// loaded). DuckDB's own parser (json_serialize_sql) needs an instantiated engine and is async
// in the pages, and no well-kept JS SQL-expression parser is installed. The grammar accepted is
// a small subset of DuckDB's, so anything it accepts DuckDB parses the same way.

/** A refused predicate: `problem` names the offending token; callers prefix file and key. */
export class PredicateError extends Error {
  constructor(readonly problem: string, readonly position: number) {
    super(problem);
    this.name = "PredicateError";
  }
}

/** Scalar functions a predicate may call (lower case): arithmetic, rounding, finiteness, null handling. */
export const PREDICATE_FUNCTIONS: ReadonlySet<string> = new Set([
  "abs", "sqrt", "cbrt", "ln", "log", "log10", "log2", "exp", "pow", "power", "least", "greatest",
  "round", "floor", "ceil", "ceiling", "trunc", "sign", "isfinite", "isnan", "isinf",
  "coalesce", "nullif", "ifnull", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "pi", "degrees", "radians"
]);

// Words with a meaning in the grammar below.
const GRAMMAR = new Set(["and", "or", "not", "is", "null", "true", "false", "between", "in", "case", "when", "then", "else", "end", "distinct", "from"]);
// Words that would start something other than an expression (a subquery, a statement, a set
// operation, a type cast): refused by name rather than read as a column.
const REFUSED = new Set([
  "select", "with", "union", "except", "intersect", "exists", "any", "all", "some", "where", "group", "having", "order", "limit",
  "insert", "update", "delete", "drop", "create", "alter", "attach", "detach", "copy", "pragma", "set", "install", "load",
  "call", "export", "import", "values", "table", "cast", "try_cast", "like", "ilike", "similar", "glob", "over", "filter", "lambda"
]);

type Kind = "number" | "string" | "word" | "quoted" | "op" | "end";
interface Token { kind: Kind; text: string; at: number }

const describe = (t: Token): string => (t.kind === "end" ? "the end of the predicate" : `${t.kind === "quoted" ? JSON.stringify(t.text) : t.text} at position ${t.at + 1}`);

const OPERATORS = ["<=", ">=", "<>", "!=", "==", "**", "//", "=", "<", ">", "+", "-", "*", "/", "%", "^", "(", ")", ",", "."];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (problem: string, at: number): never => {
    throw new PredicateError(problem, at);
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { ++i; continue; }
    const start = i;
    if (c === ";") fail(`";" at position ${i + 1} is not allowed: a predicate is one expression, not statements`, i);
    if (text.startsWith("--", i) || text.startsWith("/*", i)) fail(`comment "${text.slice(i, i + 2)}" at position ${i + 1} is not allowed`, i);
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      i += m[0].length;
      if (/[A-Za-z_]/.test(text[i] ?? "")) fail(`syntax error: malformed number ${text.slice(start, i + 1)} at position ${start + 1}`, start);
      tokens.push({kind: "number", text: m[0], at: start});
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      i += m[0].length;
      tokens.push({kind: "word", text: m[0], at: start});
    } else if (c === "'" || c === '"') {
      // '…' is a string, "…" a quoted column name; a doubled quote stands for itself.
      let j = i + 1, value = "";
      for (;;) {
        if (j >= text.length) fail(`syntax error: unterminated ${c === "'" ? "string" : "quoted name"} starting at position ${i + 1}`, i);
        if (text[j] === c) {
          if (text[j + 1] === c) { value += c; j += 2; continue; }
          break;
        }
        value += text[j++];
      }
      i = j + 1;
      tokens.push({kind: c === "'" ? "string" : "quoted", text: c === "'" ? text.slice(start, i) : value, at: start});
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) fail(`character ${JSON.stringify(c)} at position ${i + 1} is not allowed in a predicate`, i);
      i += op!.length;
      tokens.push({kind: "op", text: op!, at: start});
    }
  }
  tokens.push({kind: "end", text: "", at: text.length});
  return tokens;
}

class Parser {
  private i = 0;
  readonly columnsUsed = new Set<string>();
  private readonly columns: ReadonlySet<string> | undefined;
  // DuckDB matches column names case-insensitively, quoted or not.
  constructor(private readonly tokens: Token[], columns: readonly string[] | undefined, private readonly columnList = columns?.join(", ")) {
    this.columns = columns && new Set(columns.map((c) => c.toLowerCase()));
  }

  private peek(k = 0): Token { return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]; }
  private isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "word" && t.text.toLowerCase() === word;
  }
  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.text === op;
  }
  private fail(problem: string, t = this.peek()): never {
    throw new PredicateError(problem, t.at);
  }
  private expectWord(word: string): void {
    if (!this.isWord(word)) this.fail(`syntax error: expected ${word.toUpperCase()}, found ${describe(this.peek())}`);
    ++this.i;
  }
  private expectOp(op: string): void {
    if (!this.isOp(op)) this.fail(`syntax error: expected "${op}", found ${describe(this.peek())}`);
    ++this.i;
  }

  whole(): void {
    this.expression();
    const t = this.peek();
    if (t.kind === "end") return;
    if (t.kind === "op" && t.text === ")") this.fail(`unbalanced ")" at position ${t.at + 1}: the predicate must be one expression`);
    this.fail(`syntax error: unexpected ${describe(t)}: the predicate must be one expression`);
  }

  expression(): void {
    this.conjunction();
    while (this.isWord("or")) { ++this.i; this.conjunction(); }
  }
  private conjunction(): void {
    this.negation();
    while (this.isWord("and")) { ++this.i; this.negation(); }
  }
  private negation(): void {
    if (this.isWord("not")) { ++this.i; this.negation(); return; }
    this.comparison();
  }
  private comparison(): void {
    this.additive();
    for (;;) {
      const t = this.peek();
      if (t.kind === "op" && ["=", "==", "<>", "!=", "<", "<=", ">", ">="].includes(t.text)) { ++this.i; this.additive(); continue; }
      if (this.isWord("is")) {
        ++this.i;
        if (this.isWord("not")) ++this.i;
        if (this.isWord("null") || this.isWord("true") || this.isWord("false")) { ++this.i; continue; }
        if (this.isWord("distinct")) { ++this.i; this.expectWord("from"); this.additive(); continue; }
        this.fail(`syntax error: expected NULL, TRUE, FALSE or DISTINCT FROM after IS, found ${describe(this.peek())}`);
      }
      const negated = this.isWord("not") && (this.isWord("between", 1) || this.isWord("in", 1));
      if (negated) ++this.i;
      if (this.isWord("between")) { ++this.i; this.additive(); this.expectWord("and"); this.additive(); continue; }
      if (this.isWord("in")) {
        ++this.i;
        this.expectOp("(");
        if (this.isWord("select") || this.isWord("with") || this.isWord("values")) this.fail(`a subquery (${this.peek().text.toUpperCase()} at position ${this.peek().at + 1}) is not allowed in a predicate`);
        this.list();
        continue;
      }
      return;
    }
  }
  private list(): void {
    this.expression();
    while (this.isOp(",")) { ++this.i; this.expression(); }
    this.expectOp(")");
  }
  private additive(): void {
    this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) { ++this.i; this.multiplicative(); }
  }
  private multiplicative(): void {
    this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%") || this.isOp("//")) { ++this.i; this.unary(); }
  }
  private unary(): void {
    if (this.isOp("-") || this.isOp("+")) { ++this.i; this.unary(); return; }
    this.primary();
    if (this.isOp("^") || this.isOp("**")) { ++this.i; this.unary(); }
  }
  private primary(): void {
    const t = this.peek();
    if (t.kind === "number" || t.kind === "string") { ++this.i; return; }
    if (t.kind === "op" && t.text === "(") {
      ++this.i;
      if (this.isWord("select") || this.isWord("with") || this.isWord("values")) this.fail(`a subquery (${this.peek().text.toUpperCase()} at position ${this.peek().at + 1}) is not allowed in a predicate`);
      this.expression();
      this.expectOp(")");
      return;
    }
    if (t.kind === "quoted") { ++this.i; this.column(t); return; }
    if (t.kind === "end") this.fail("syntax error: the predicate ends where a value is expected");
    if (t.kind !== "word") this.fail(`syntax error: unexpected ${describe(t)}`);
    const word = t.text.toLowerCase();
    if (word === "null" || word === "true" || word === "false") { ++this.i; return; }
    if (word === "case") { ++this.i; this.caseExpression(); return; }
    const call = this.peek(1).kind === "op" && this.peek(1).text === "(";
    if (call && !PREDICATE_FUNCTIONS.has(word) && word !== "cast" && word !== "try_cast") this.fail(`function ${t.text} at position ${t.at + 1} is not allowed (allowed: ${[...PREDICATE_FUNCTIONS].join(", ")})`, t);
    if (REFUSED.has(word)) this.fail(`${t.text.toUpperCase()} at position ${t.at + 1} is not allowed in a predicate (one expression over the feature table's columns)`);
    if (GRAMMAR.has(word)) this.fail(`syntax error: unexpected ${t.text.toUpperCase()} at position ${t.at + 1}`);
    ++this.i;
    if (call) {
      ++this.i;
      if (this.isOp(")")) { ++this.i; return; }
      if (this.isOp("*") || this.isWord("distinct")) this.fail(`syntax error: unexpected ${describe(this.peek())} in the arguments of ${t.text}`);
      this.list();
      return;
    }
    this.column(t);
  }
  private column(t: Token): void {
    const next = this.peek();
    if (next.kind === "op" && next.text === "(") this.fail(`function ${t.kind === "quoted" ? `"${t.text}"` : t.text} at position ${t.at + 1} is not allowed`, t);
    if (next.kind === "op" && next.text === ".") this.fail(`table reference ${t.text}. at position ${t.at + 1} is not allowed: name the column alone`, t);
    if (this.columns && !this.columns.has(t.text.toLowerCase())) this.fail(`no column ${t.text} (position ${t.at + 1}) in the feature table; it has ${this.columnList}`, t);
    this.columnsUsed.add(t.text);
  }
  private caseExpression(): void {
    if (!this.isWord("when")) this.expression();
    if (!this.isWord("when")) this.fail(`syntax error: expected WHEN in CASE, found ${describe(this.peek())}`);
    while (this.isWord("when")) {
      ++this.i;
      this.expression();
      this.expectWord("then");
      this.expression();
    }
    if (this.isWord("else")) { ++this.i; this.expression(); }
    this.expectWord("end");
  }
}

/**
 * Checks that `predicate` is one expression over columns, literals, operators, BETWEEN, IN
 * lists, IS [NOT] NULL, CASE and the functions of PREDICATE_FUNCTIONS. With `columns`, every
 * column named must be one of them. Returns the columns used; throws PredicateError.
 */
export function checkPredicate(predicate: string, columns?: Iterable<string>): string[] {
  if (predicate.trim() === "") throw new PredicateError("the predicate is empty", 0);
  const parser = new Parser(tokenize(predicate), columns ? [...columns] : undefined);
  parser.whole();
  return [...parser.columnsUsed];
}

/**
 * The terms of `predicate` joined by AND at its top level (the AND of a BETWEEN and those inside
 * parentheses or CASE stay in their term), each as written: a row satisfies the predicate only
 * if it satisfies every term, so a term over partition columns alone prunes whole partitions.
 * A predicate with a top-level OR is one term. Throws PredicateError as checkPredicate does.
 */
export function conjuncts(predicate: string): string[] {
  checkPredicate(predicate);
  const terms: string[] = [];
  let depth = 0, between = 0, from = 0;
  for (const t of tokenize(predicate)) {
    const word = t.kind === "word" ? t.text.toLowerCase() : "";
    if ((t.kind === "op" && t.text === "(") || word === "case") depth++;
    else if ((t.kind === "op" && t.text === ")") || word === "end") depth--;
    else if (depth > 0) continue;
    else if (word === "or") return [predicate.trim()];
    else if (word === "between") between++;
    else if (word === "and" && between > 0) between--;
    else if (word === "and") {
      terms.push(predicate.slice(from, t.at).trim());
      from = t.at + t.text.length;
    }
  }
  terms.push(predicate.slice(from).trim());
  return terms;
}
