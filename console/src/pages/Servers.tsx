import { PageHeader } from '../ui/components';

export const ServersPage = () => <PageHeader title="Servers" />;
