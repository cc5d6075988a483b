/** A `.sql` file imported as its text (lib/constructs/kaikai-function-defaults.ts, test/sql-text.ts). */
declare module "*.sql" {
  const text: string;
  export default text;
}
