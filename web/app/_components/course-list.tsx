'use client';

import { useEffect, useState } from 'react';
import { CSRF_HEADER } from '@porter/shared';
import { CAMPUS_API, parseMyCourses, registerUrl } from '@/lib/courses';
import type { MyCourses } from '@/lib/courses';

type Load = { readonly state: 'loading' } | { readonly state: 'ready'; readonly data: MyCourses } | { readonly state: 'failed'; readonly signedOut: boolean };

/** A campus API answer as the page's data; throws with the status when it is not one. */
async function readCourses(response: Response): Promise<MyCourses> {
  const data = response.ok ? parseMyCourses(await response.json()) : null;
  if (!data) throw Object.assign(new Error(`the campus API answered ${response.status}`), { status: response.status });
  return data;
}

/**
 * The student's courses, fetched by the browser through the BFF's API proxy, with a button to
 * register for each course not yet taken (a write: it carries the CSRF header). The list shows
 * what the campus API answered, the registration's answer included.
 */
export function CourseList() {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    fetch(`${CAMPUS_API}/me/courses`, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } })
      .then(readCourses)
      .then(
        (data) => live && setLoad({ state: 'ready', data }),
        (err: { status?: number }) => live && setLoad({ state: 'failed', signedOut: err.status === 401 }),
      );
    return () => {
      live = false;
    };
  }, []);

  async function register(code: string) {
    setPending(code);
    setError('');
    try {
      const response = await fetch(registerUrl(code), {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { [CSRF_HEADER]: '1', accept: 'application/json' },
      });
      setLoad({ state: 'ready', data: await readCourses(response) });
    } catch {
      setError(`Registration for ${code} failed. Please try again.`);
    } finally {
      setPending(null);
    }
  }

  if (load.state === 'loading') return <p className="muted">Loading your courses…</p>;
  if (load.state === 'failed') {
    return <p className="muted">{load.signedOut ? 'Your session has ended. Sign in again to see your courses.' : 'Your courses are unavailable right now.'}</p>;
  }
  const { data } = load;
  return (
    <>
      <p className="muted">
        {data.session} session, <span className="capitalize">{data.semester}</span> semester: <strong>{data.registeredUnits}</strong> units registered.
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Title</th>
              <th scope="col" className="num">Units</th>
              <th scope="col">Lecturer</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {data.courses.map((course) => (
              <tr key={course.code} data-course={course.code}>
                <th scope="row" className="mono">{course.code}</th>
                <td>{course.title}</td>
                <td className="num">{course.units}</td>
                <td>{course.lecturer}</td>
                <td>
                  {course.registered ? (
                    <span className="badge">Registered</span>
                  ) : (
                    <button type="button" className="button button--quiet" onClick={() => register(course.code)} disabled={pending !== null}>
                      {pending === course.code ? 'Registering…' : 'Register'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p role="status" className="sign-out__error">{error}</p>
    </>
  );
}
