import { PageHeader } from '../ui/components';

export const EventEditorPage = () => <PageHeader title="EventEditor" />;
