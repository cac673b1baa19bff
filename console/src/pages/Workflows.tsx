import { PageHeader } from '../ui/components';

export const WorkflowsPage = () => <PageHeader title="Workflows" />;
