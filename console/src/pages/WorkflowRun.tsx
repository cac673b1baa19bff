import { PageHeader } from '../ui/components';

export const WorkflowRunPage = () => <PageHeader title="WorkflowRun" />;
