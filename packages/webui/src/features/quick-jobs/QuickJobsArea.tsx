// The quick-jobs area: the list at /quick-jobs and one job's live results at /quick-jobs/:id.
import { Route, Routes } from 'react-router';
import { QuickJobPage } from './QuickJobPage';
import { QuickJobsPage } from './QuickJobsPage';

export function QuickJobsArea() {
  return (
    <Routes>
      <Route index element={<QuickJobsPage />} />
      <Route path=":id" element={<QuickJobPage />} />
    </Routes>
  );
}
