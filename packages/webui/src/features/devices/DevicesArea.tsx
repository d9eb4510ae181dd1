// The /devices area: the list at its root and one device's page at /devices/:guid.
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../../shared/NotFoundPage';
import { DeviceDetailPage } from './DeviceDetailPage';
import { DevicesPage } from './DevicesPage';

export function DevicesArea() {
  return (
    <Routes>
      <Route index element={<DevicesPage />} />
      <Route path=":guid" element={<DeviceDetailPage />} />
      <Route path="*" element={<NotFoundPage homePath="/devices" homeLabel="Devices" />} />
    </Routes>
  );
}
