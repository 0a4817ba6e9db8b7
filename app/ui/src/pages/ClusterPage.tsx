// Placeholder: the Cluster page is being built.
export function ClusterPage(_props: Record<string, unknown>): React.JSX.Element {
  return (
    <section>
      <h1>Cluster</h1>
    </section>
  );
}
