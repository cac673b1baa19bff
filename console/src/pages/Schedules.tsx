import { PageHeader } from '../ui/components';

export const SchedulesPage = () => <PageHeader title="Schedules" />;
