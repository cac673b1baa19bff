import { PageHeader } from '../ui/components';

export const KeysPage = () => <PageHeader title="Keys" />;
