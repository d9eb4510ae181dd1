// The assemblies area's own routes: the library at /assemblies, the editor at /assemblies/new and
// /assemblies/:guid.
import { Route, Routes } from 'react-router';
import { AssemblyEditorPage } from './AssemblyEditorPage';
import { AssemblyLibraryPage } from './AssemblyLibraryPage';

export function AssembliesArea() {
  return (
    <Routes>
      <Route index element={<AssemblyLibraryPage />} />
      <Route path="new" element={<AssemblyEditorPage />} />
      <Route path=":guid" element={<AssemblyEditorPage />} />
    </Routes>
  );
}
