// The shell: a navigation bar and the page of the current URL. The Planner page (charts, job progress) is
// loaded on first visit only, so that the other pages stay light.
import { Suspense, lazy } from 'react';
import { onLinkClick, useLocation } from './router.ts';
import { LogoutButton } from './components/LogoutButton.tsx';
import { CamerasPage } from './pages/CamerasPage.tsx';
import { ClusterPage } from './pages/ClusterPage.tsx';
import { DetectionsPage } from './pages/DetectionsPage.tsx';
import { EventDetailPage } from './pages/EventDetailPage.tsx';
import { EventsPage } from './pages/EventsPage.tsx';
import { LivePage } from './pages/LivePage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';

const PlannerPage = lazy(() => import('./pages/PlannerPage.tsx'));

const PAGES = [
  { path: '/live', title: 'Live' },
  { path: '/cameras', title: 'Cameras' },
  { path: '/events', title: 'Events' },
  { path: '/detections', title: 'Detections' },
  { path: '/cluster', title: 'Cluster' },
  { path: '/planner', title: 'Planner' },
] as const;

function Page({ path }: { path: string }): React.JSX.Element {
  const [, section = 'live', id] = path.split('/');
  switch (section) {
    case 'live':
      return <LivePage camera={id ? decodeURIComponent(id) : null} />;
    case 'cameras':
      return <CamerasPage />;
    case 'events':
      return id ? <EventDetailPage id={decodeURIComponent(id)} /> : <EventsPage />;
    case 'detections':
      return <DetectionsPage />;
    case 'cluster':
      return <ClusterPage />;
    case 'planner':
      return (
        <Suspense fallback={<p role="status">Loading the planner…</p>}>
          <PlannerPage />
        </Suspense>
      );
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page at <code>{path}</code>.
          </p>
        </section>
      );
  }
}

export function App(): React.JSX.Element {
  const { path } = useLocation();
  if (path === '/login') return <LoginPage />;
  const current =
    PAGES.find((p) => path === p.path || path.startsWith(`${p.path}/`))?.path ?? (path === '/' ? '/live' : '');
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">PPipe appliance</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((page) => (
              <li key={page.path}>
                <a href={page.path} onClick={onLinkClick} aria-current={current === page.path ? 'page' : undefined}>
                  {page.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <LogoutButton />
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path === '/' ? '/live' : path} />
      </main>
    </>
  );
}
