import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/**
 * Which exports of src/ no other file imports, found from the syntax alone (no type checker, so it
 * takes a second, not a minute). Uses are read from src/, test/, bench/, scripts/ and bin/: static
 * and dynamic imports (`(await import("./x.js")).name`, `const { name } = await import(...)`),
 * `import("./x.js").Name` in types, `ns.name` through `import * as ns`, and re-exports. A computed
 * specifier (a benchmark loading a built module by URL) and code held in strings (a test that writes
 * a script for a child process) count by the names they take, for whichever module has them.
 */

/** "all" where a module is used in a way that cannot be narrowed to names (it is then all in use). */
type Uses = Map<string, Set<string> | "all">;

const ALL = "all" as const;

function listFiles(root: string, folders: string[]): string[] {
  return folders
    .filter((folder) => existsSync(join(root, folder)))
    .flatMap((folder) =>
      readdirSync(join(root, folder), { recursive: true, encoding: "utf8" }).map((f) => join(folder, f)),
    )
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.includes("node_modules"));
}

/** The src/ file a relative specifier names; dist/x.js (a built module loaded by a test) counts as src/x.ts. */
function target(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const path = relative(root, resolve(root, dirname(from), specifier)).replace(/^dist\//, "src/");
  return path.replace(/\.js$/, ".ts");
}

function addUse(uses: Uses, file: string, name: string | typeof ALL): void {
  const current = uses.get(file);
  if (current === ALL) return;
  if (name === ALL) uses.set(file, ALL);
  else uses.set(file, (current ?? new Set()).add(name));
}

/** The names taken from a dynamic import, from what surrounds the `import(...)` call. */
function dynamicNames(call: ts.Node): string[] | typeof ALL {
  let node = call.parent;
  while (node && (ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node))) node = node.parent;
  if (node && ts.isPropertyAccessExpression(node)) return [node.name.text];
  if (node && ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name)) {
    return node.name.elements.map((e) => (e.propertyName ?? e.name).getText());
  }
  return ALL;
}

/** `ns.name` for a namespace import; a namespace used bare (passed along) uses everything. */
function namespaceNames(source: ts.SourceFile, ns: string): string[] | typeof ALL {
  const names: string[] = [];
  let bare = false;
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === ns
    ) {
      names.push(node.name.text);
      return;
    }
    if (ts.isQualifiedName(node) && ts.isIdentifier(node.left) && node.left.text === ns) {
      names.push(node.right.text);
      return;
    }
    if (ts.isIdentifier(node) && node.text === ns && !ts.isNamespaceImport(node.parent)) bare = true;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return bare ? ALL : names;
}

function importUses(root: string, file: string, source: ts.SourceFile, uses: Uses, loose: Set<string>): void {
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const to = ts.isStringLiteral(node.moduleSpecifier)
        ? target(root, file, node.moduleSpecifier.text)
        : undefined;
      if (to) declarationUses(source, node, to, uses);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      const literal = arg && ts.isStringLiteral(arg);
      const to = literal ? target(root, file, arg.text) : undefined;
      const names = dynamicNames(node);
      if (to) for (const name of names === ALL ? [ALL] : names) addUse(uses, to, name);
      // A computed specifier (a built module's URL): its names count for whichever module has them.
      else if (!literal && names !== ALL) for (const name of names) loose.add(name);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      const to = ts.isStringLiteral(literal) ? target(root, file, literal.text) : undefined;
      if (to) addUse(uses, to, node.qualifier ? (node.qualifier.getText().split(".")[0] ?? ALL) : ALL);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function declarationUses(
  source: ts.SourceFile,
  node: ts.ImportDeclaration | ts.ExportDeclaration,
  to: string,
  uses: Uses,
): void {
  if (ts.isExportDeclaration(node)) {
    const clause = node.exportClause;
    if (!clause || ts.isNamespaceExport(clause)) addUse(uses, to, ALL);
    else for (const e of clause.elements) addUse(uses, to, (e.propertyName ?? e.name).getText());
    return;
  }
  const clause = node.importClause;
  if (!clause) return; // import "./x.js" for its effect
  if (clause.name) addUse(uses, to, "default");
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) {
    const names = namespaceNames(source, bindings.name.text);
    for (const name of names === ALL ? [ALL] : names) addUse(uses, to, name);
  } else if (bindings) {
    for (const e of bindings.elements) addUse(uses, to, (e.propertyName ?? e.name).getText());
  }
}

/** Words in strings that hold code (a script written for a child process): names used, whatever their module. */
function codeInStrings(source: ts.SourceFile, names: Set<string>): void {
  const addWords = (text: string): void => {
    for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(word);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) {
      const text = node.getText(source);
      if (/\bimport\b/.test(text)) addWords(text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

/** The names a file exports: its own declarations and `export { name } from` (not `export *`, which is rare). */
export function declaredExports(source: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of source.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    const exported = modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (ts.isExportAssignment(statement) || (exported && isDefault)) names.push("default");
    else if (exported && ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) names.push(d.name.getText(source));
    } else if (exported && "name" in statement && statement.name) {
      names.push((statement.name as ts.Identifier).text);
    } else if (ts.isExportDeclaration(statement) && statement.exportClause) {
      if (ts.isNamedExports(statement.exportClause)) {
        for (const e of statement.exportClause.elements) names.push(e.name.text);
      }
    }
  }
  return names;
}

/** `file: name` for every export of a src/ file (outside `keep`) that no other file uses. */
export function unusedExports(root: string, keep: readonly string[]): string[] {
  const files = listFiles(root, ["src", "test", "bench", "scripts", "bin"]);
  const uses: Uses = new Map();
  const loose = new Set<string>();
  const sources = new Map<string, ts.SourceFile>();
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      readFileSync(join(root, file), "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    sources.set(file, source);
    importUses(root, file, source, uses, loose);
    codeInStrings(source, loose);
  }
  const unused: string[] = [];
  for (const [file, source] of sources) {
    if (!file.startsWith("src/") || !file.endsWith(".ts") || keep.includes(file)) continue;
    const used = uses.get(file);
    if (used === ALL) continue;
    for (const name of declaredExports(source)) {
      if (!used?.has(name) && !loose.has(name)) unused.push(`${file}: ${name}`);
    }
  }
  return unused;
}
