/**
 * The public entry points document every export where bot authors look: each export of `threadline/workflows` and
 * `threadline/kit` has TSDoc with an `@example`, read from the declarations by the TypeScript compiler.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');
const entryPoints = { 'threadline/workflows': 'workflows/conversation.ts', 'threadline/kit': 'kit/index.ts' };

const program = ts.createProgram(
  Object.values(entryPoints).map((file) => path.join(root, file)),
  { strict: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true },
);
const checker = program.getTypeChecker();

/** Each export's name and whether its declaration's TSDoc has an `@example`. */
function exportsOf(file: string): { name: string; documented: boolean; example: boolean }[] {
  const source = program.getSourceFile(path.join(root, file));
  assert.ok(source, `${file} is in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, `${file} is a module`);
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const docs = (symbol.declarations ?? []).flatMap((d) => ts.getJSDocCommentsAndTags(d));
    const tags = (symbol.declarations ?? []).flatMap((d) => ts.getJSDocTags(d));
    return {
      name: exported.getName(),
      documented: docs.length > 0,
      example: tags.some((tag) => tag.tagName.text === 'example'),
    };
  });
}

void describe('the public API docs', () => {
  for (const [entry, file] of Object.entries(entryPoints)) {
    void it(`documents every export of ${entry} with an example`, () => {
      const exports = exportsOf(file);
      assert.ok(exports.length >= 10, `${entry} exports ${exports.length} names`);
      const missing = exports.filter((e) => !e.example).map((e) => `${e.name}${e.documented ? '' : ' (no TSDoc)'}`);
      assert.deepEqual(missing, [], `exports of ${entry} without an @example`);
    });
  }

  void it('re-exports the types the methods return from each entry point', () => {
    const names = (file: string) => new Set(exportsOf(file).map((e) => e.name));
    for (const file of Object.values(entryPoints)) {
      for (const name of ['InboundMessage', 'TranscriptEntry', 'ConversationOutcome']) {
        assert.ok(names(file).has(name), `${file} exports ${name}`);
      }
    }
  });
});
