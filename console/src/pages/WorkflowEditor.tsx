import { PageHeader } from '../ui/components';

export const WorkflowEditorPage = () => <PageHeader title="WorkflowEditor" />;
