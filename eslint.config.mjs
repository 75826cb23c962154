// ESLint flat config: typescript-eslint's recommended rules on the sources, the
// tests and the scripts. Formatting is Prettier's job (.prettierrc.json), so no
// rule here is about layout.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
    rules: {
      // `_name` marks a parameter an interface requires but this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    languageOptions: { globals: globals.jest }
  }
)
