import { Container } from '@/components/ui/Container';
import { SearchBox } from './SearchBox';

/** The header's search row: the site search box, under the site name, on every page. */
export function HeaderSearch() {
  return (
    <div className="bg-brand pb-3 text-white">
      <Container className="flex justify-end">
        <SearchBox />
      </Container>
    </div>
  );
}
