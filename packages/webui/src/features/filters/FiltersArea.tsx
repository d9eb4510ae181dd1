// The /filters area: the saved filters at its root, the editor at /filters/new and /filters/:id.
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../../shared/NotFoundPage';
import { FilterEditorPage } from './FilterEditorPage';
import { FiltersPage } from './FiltersPage';

export function FiltersArea() {
  return (
    <Routes>
      <Route index element={<FiltersPage />} />
      <Route path="new" element={<FilterEditorPage />} />
      <Route path=":filterId" element={<FilterEditorPage />} />
      <Route path="*" element={<NotFoundPage homePath="/filters" homeLabel="Filters" />} />
    </Routes>
  );
}
