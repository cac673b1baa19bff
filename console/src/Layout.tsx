import { Suspense } from 'react';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { useSession } from './api/SessionContext';
import { nav, routes } from './routes';
import { Loading } from './ui/components';

const NavLinks = () => {
  const [location] = useLocation();
  return (
    <ul>
      {nav.map((item) => (
        <li key={item.href}>
          <Link href={item.href} aria-current={location === item.href || location.startsWith(`${item.href}/`) ? 'page' : undefined}>
            {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
};

/** The signed-in shell: navigation, sign-out and the page of the URL's hash (`#/jobs/ID`). */
export const Layout = () => {
  const { signOut } = useSession();
  return (
    <Router hook={useHashLocation}>
      <div className="shell">
        <nav className="sidebar" aria-label="Main">
          <span className="brand">Cronium</span>
          <NavLinks />
          <button type="button" className="link sign-out" onClick={signOut}>
            Sign out
          </button>
        </nav>
        <main className="content">
          <Suspense fallback={<Loading what="the page" />}>
            <Switch>
              {routes.map((r) => (
                <Route key={r.path} path={r.path} component={r.page} />
              ))}
              <Route path="/">
                <Redirect to="/jobs" />
              </Route>
              <Route>
                <p>This page does not exist.</p>
              </Route>
            </Switch>
          </Suspense>
        </main>
      </div>
    </Router>
  );
};
