// Placeholder: the Cameras page is being built.
export function CamerasPage(_props: Record<string, unknown>): React.JSX.Element {
  return (
    <section>
      <h1>Cameras</h1>
    </section>
  );
}
