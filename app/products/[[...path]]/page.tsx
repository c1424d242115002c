import { browseRoute } from '@/app/_browse/routes';

const route = browseRoute('products');

/** Only the paths the browse index knows exist; see app/_browse/routes.tsx. */
export const dynamicParams = false;
export const generateStaticParams = route.generateStaticParams;
export const generateMetadata = route.generateMetadata;
export default route.BrowsePage;
