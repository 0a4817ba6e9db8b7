// Placeholder: the Login page is being built.
export function LoginPage(_props: Record<string, unknown>): React.JSX.Element {
  return (
    <section>
      <h1>Login</h1>
    </section>
  );
}
