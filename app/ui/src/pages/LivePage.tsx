// Placeholder: the Live page is being built.
export function LivePage(_props: Record<string, unknown>): React.JSX.Element {
  return (
    <section>
      <h1>Live</h1>
    </section>
  );
}
