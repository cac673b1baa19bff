import { PageHeader } from '../ui/components';

export const StatsPage = () => <PageHeader title="Stats" />;
