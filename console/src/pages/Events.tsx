import { PageHeader } from '../ui/components';

export const EventsPage = () => <PageHeader title="Events" />;
