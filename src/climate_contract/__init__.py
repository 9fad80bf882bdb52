"""climate-contract: collect, check and consolidate partners' climate action declarations."""
