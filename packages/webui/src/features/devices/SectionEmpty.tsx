// What a device tab shows before the agent has reported that inventory section.
import { IconHourglassEmpty } from '@tabler/icons-react';
import { EmptyList } from '../../shared/ListStates';

export function SectionEmpty({ section, testId }: { readonly section: string; readonly testId: string }) {
  return (
    <EmptyList
      icon={<IconHourglassEmpty size={28} stroke={1.5} />}
      title={`No ${section} reported yet`}
      description={`The agent sends its ${section} inventory after it connects and whenever it changes. If it stays empty, check that the agent is running and up to date.`}
      testId={testId}
    />
  );
}
