// The scheduled-jobs area: list at /scheduled-jobs, editor at /new and /:id/edit, run history at /:id.
import { Route, Routes } from 'react-router';
import { ScheduledJobEditor } from './ScheduledJobEditor';
import { ScheduledJobHistory } from './ScheduledJobHistory';
import { ScheduledJobsPage } from './ScheduledJobsPage';

export function ScheduledJobsArea() {
  return (
    <Routes>
      <Route index element={<ScheduledJobsPage />} />
      <Route path="new" element={<ScheduledJobEditor />} />
      <Route path=":id/edit" element={<ScheduledJobEditor />} />
      <Route path=":id" element={<ScheduledJobHistory />} />
    </Routes>
  );
}
