import { PageHeader } from '../ui/components';

export const VariablesPage = () => <PageHeader title="Variables" />;
