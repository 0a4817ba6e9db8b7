// Placeholder: the Detections page is being built.
export function DetectionsPage(_props: Record<string, unknown>): React.JSX.Element {
  return (
    <section>
      <h1>Detections</h1>
    </section>
  );
}
